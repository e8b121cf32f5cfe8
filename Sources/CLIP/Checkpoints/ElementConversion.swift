import Foundation

/// Reads stored tensor elements (little-endian, as every supported format stores them) as Float or Int.
///
/// The caller guarantees that every element it asks for lies inside `raw`; the readers check the
/// tensor's byte range against the file before they get here.
enum ElementConversion {
    /// The elements of the strided view (`offset`, `shape`, `strides`, in elements) of `raw`, in
    /// row-major order, converted to float32; nil when `dtype` is not floating point.
    ///
    /// A row-major contiguous view is converted straight from its bytes (float32 in one copy);
    /// any other view element by element.
    static func floats(_ raw: UnsafeRawBufferPointer, dtype: TensorDType, view: StridedView) -> [Float]? {
        guard dtype.isFloatingPoint else { return nil }
        if let first = view.contiguousStart {
            let width = dtype.byteWidth
            let bytes = UnsafeRawBufferPointer(rebasing: raw[(first * width)..<((first + view.count) * width)])
            return contiguousFloats(bytes, dtype: dtype, count: view.count)
        }
        var indices = view.makeIterator()
        return floats(raw, dtype: dtype, count: view.count) { _ in indices.next() ?? 0 }
    }

    /// `count` consecutive elements from the start of `raw` (floating point `dtype`), as float32.
    private static func contiguousFloats(_ raw: UnsafeRawBufferPointer, dtype: TensorDType, count: Int) -> [Float] {
        if dtype == .float32 {
            return [Float](unsafeUninitializedCapacity: count) { buffer, initialized in
                if count > 0, let source = raw.baseAddress, let target = buffer.baseAddress {
                    memcpy(target, source, count * 4)
                }
                initialized = count
            }
        }
        return floats(raw, dtype: dtype, count: count) { $0 }
    }

    /// Converts `count` elements, the i-th at element index `index(i)`; `index` is called once per i, in order.
    private static func floats(_ raw: UnsafeRawBufferPointer, dtype: TensorDType, count: Int,
                               index: (Int) -> Int) -> [Float] {
        [Float](unsafeUninitializedCapacity: count) { buffer, initialized in
            switch dtype {
            case .float32:
                for i in 0..<count { buffer[i] = raw.loadUnaligned(fromByteOffset: 4 * index(i), as: Float.self) }
            case .float16:
                for i in 0..<count {
                    buffer[i] = Float(Float16(bitPattern: raw.loadUnaligned(fromByteOffset: 2 * index(i), as: UInt16.self)))
                }
            case .bfloat16:
                for i in 0..<count {
                    let bits = raw.loadUnaligned(fromByteOffset: 2 * index(i), as: UInt16.self)
                    buffer[i] = Float(bitPattern: UInt32(bits) << 16)
                }
            case .float64:
                for i in 0..<count { buffer[i] = Float(raw.loadUnaligned(fromByteOffset: 8 * index(i), as: Double.self)) }
            default:
                for i in 0..<count { buffer[i] = 0 }
            }
            initialized = count
        }
    }

    /// The elements of the strided view of an integer or boolean tensor as Int; nil when `dtype` is floating point.
    static func integers(_ raw: UnsafeRawBufferPointer, dtype: TensorDType, view: StridedView) -> [Int]? {
        let width = dtype.byteWidth
        switch dtype {
        case .int64: return view.map { Int(raw.loadUnaligned(fromByteOffset: width * $0, as: Int64.self)) }
        case .int32: return view.map { Int(raw.loadUnaligned(fromByteOffset: width * $0, as: Int32.self)) }
        case .int16: return view.map { Int(raw.loadUnaligned(fromByteOffset: width * $0, as: Int16.self)) }
        case .int8: return view.map { Int(raw.load(fromByteOffset: $0, as: Int8.self)) }
        case .uint8, .bool: return view.map { Int(raw[$0]) }
        case .float32, .float16, .bfloat16, .float64: return nil
        }
    }
}

/// The storage element indices of a strided view, in row-major order (produced one at a time, never stored).
///
/// The caller has checked the view against its storage (every index lies inside it) and that the
/// element count does not overflow.
struct StridedView: Sequence {
    var offset: Int
    var shape: [Int]
    var strides: [Int]

    /// A contiguous row-major view of `count` elements from index 0.
    init(contiguous count: Int) {
        self.init(offset: 0, shape: [count], strides: [1])
    }

    init(offset: Int, shape: [Int], strides: [Int]) {
        self.offset = offset
        self.shape = shape
        self.strides = strides
    }

    /// Number of elements.
    var count: Int { TensorShape.elementCount(shape) ?? 0 }

    /// The offset of the first element when the view is row-major contiguous, else nil.
    var contiguousStart: Int? {
        var expected = 1
        for (size, stride) in zip(shape, strides).reversed() {
            if size != 1 && stride != expected { return nil }
            expected *= size
        }
        return offset
    }

    struct Iterator: IteratorProtocol {
        let view: StridedView
        var remaining: Int
        var position: [Int]
        var current: Int

        mutating func next() -> Int? {
            guard remaining > 0 else { return nil }
            remaining -= 1
            let result = current
            var axis = view.shape.count - 1
            while axis >= 0 {
                position[axis] += 1
                current += view.strides[axis]
                if position[axis] < view.shape[axis] { break }
                current -= view.strides[axis] * view.shape[axis]
                position[axis] = 0
                axis -= 1
            }
            return result
        }
    }

    func makeIterator() -> Iterator {
        Iterator(view: self, remaining: count, position: [Int](repeating: 0, count: shape.count), current: offset)
    }
}
