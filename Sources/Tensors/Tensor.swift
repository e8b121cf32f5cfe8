/// A dense float32 tensor: a shape and its values in row-major (C) order.
///
/// The plain value the model layer hands out: recorded activations, test inputs and outputs.
/// The compute kernels themselves work on pointers with explicit sizes, so a `Tensor` is never
/// copied inside a forward pass.
public struct Tensor: Sendable, Equatable {
    /// Extent of each dimension, outermost first (an empty array for a scalar).
    public let shape: [Int]
    /// `shape.product` values, last dimension fastest.
    public var values: [Float]

    /// Creates a tensor; `values.count` must equal the product of `shape`.
    public init(shape: [Int], values: [Float]) {
        precondition(shape.allSatisfy { $0 >= 0 }, "Tensor: negative dimension in \(shape)")
        precondition(values.count == shape.reduce(1, *),
                     "Tensor: \(values.count) values do not fit shape \(shape)")
        self.shape = shape
        self.values = values
    }

    /// A tensor of `shape` filled with `value`.
    public init(shape: [Int], repeating value: Float = 0) {
        self.init(shape: shape, values: [Float](repeating: value, count: shape.reduce(1, *)))
    }

    /// Number of values (1 for a scalar).
    public var count: Int { values.count }

    /// The same values viewed with another shape of the same element count.
    public func reshaped(_ newShape: [Int]) -> Tensor {
        Tensor(shape: newShape, values: values)
    }
}
