/// A fully connected layer `y = x · Wᵀ + b` with PyTorch `[out, in]` weights.
public struct LinearWeights: Sendable {
    /// Input width.
    public let inFeatures: Int
    /// Output width.
    public let outFeatures: Int
    /// `[outFeatures, inFeatures]`, row-major (PyTorch `nn.Linear.weight`).
    public let weight: [Float]
    /// `[outFeatures]`, or nil for a layer without bias.
    public let bias: [Float]?

    /// A layer from PyTorch-layout values; counts must match the sizes.
    public init(inFeatures: Int, outFeatures: Int, weight: [Float], bias: [Float]?) {
        precondition(weight.count == inFeatures * outFeatures && (bias == nil || bias!.count == outFeatures),
                     "LinearWeights: values do not fit \(outFeatures)×\(inFeatures)")
        self.inFeatures = inFeatures
        self.outFeatures = outFeatures
        self.weight = weight
        self.bias = bias
    }

    /// Applies the layer to `rows` rows of `x` (`inStride` floats apart) into `out` (`outStride` apart).
    ///
    /// With `accumulate`, the result is added to what `out` holds (a fused residual add:
    /// `out += x · Wᵀ + b`); otherwise `out` is overwritten.
    public func forward(_ x: UnsafePointer<Float>, rows: Int, inStride: Int? = nil,
                        into out: UnsafeMutablePointer<Float>, outStride: Int? = nil, accumulate: Bool = false) {
        guard rows > 0 else { return }
        let ldc = outStride ?? outFeatures
        var beta: Float = accumulate ? 1 : 0
        if let bias {
            bias.withUnsafeBufferPointer { b in
                if accumulate {
                    for row in 0..<rows { Elementwise.add(b.baseAddress!, into: out + row * ldc, count: outFeatures) }
                } else {
                    Elementwise.fillRows(out, rows: rows, width: outFeatures, stride: ldc, with: b.baseAddress!)
                }
            }
            beta = 1
        }
        weight.withUnsafeBufferPointer { w in
            BLAS.sgemm(m: rows, n: outFeatures, k: inFeatures,
                       a: x, lda: inStride ?? inFeatures,
                       b: w.baseAddress!, ldb: inFeatures, transposeB: true,
                       beta: beta, c: out, ldc: ldc)
        }
    }
}
