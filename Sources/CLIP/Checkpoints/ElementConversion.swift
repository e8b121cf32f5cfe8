import Foundation

/// Reads stored tensor elements (little-endian, as every supported format stores them) as Float or Int.
///
/// The caller guarantees that every element it asks for lies inside `raw`; the readers check the
/// tensor's byte range against the file before they get here.
enum ElementConversion {
    /// `count` consecutive elements from the start of `raw`, converted to float32; nil when `dtype` is not floating point.
    static func floats(_ raw: UnsafeRawBufferPointer, dtype: TensorDType, count: Int) -> [Float]? {
        guard dtype.isFloatingPoint else { return nil }
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

    /// The elements at `elementIndices` (in elements, not bytes) of `raw`, converted to float32; nil when not floating point.
    static func floats(_ raw: UnsafeRawBufferPointer, dtype: TensorDType, elementIndices: [Int]) -> [Float]? {
        guard dtype.isFloatingPoint else { return nil }
        return floats(raw, dtype: dtype, count: elementIndices.count) { elementIndices[$0] }
    }

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

    /// The elements at `elementIndices` of an integer or boolean tensor as Int; nil when `dtype` is floating point.
    static func integers(_ raw: UnsafeRawBufferPointer, dtype: TensorDType, elementIndices: [Int]) -> [Int]? {
        let width = dtype.byteWidth
        switch dtype {
        case .int64: return elementIndices.map { Int(raw.loadUnaligned(fromByteOffset: width * $0, as: Int64.self)) }
        case .int32: return elementIndices.map { Int(raw.loadUnaligned(fromByteOffset: width * $0, as: Int32.self)) }
        case .int16: return elementIndices.map { Int(raw.loadUnaligned(fromByteOffset: width * $0, as: Int16.self)) }
        case .int8: return elementIndices.map { Int(raw.load(fromByteOffset: $0, as: Int8.self)) }
        case .uint8, .bool: return elementIndices.map { Int(raw[$0]) }
        case .float32, .float16, .bfloat16, .float64: return nil
        }
    }
}
