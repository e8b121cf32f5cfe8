/// The sizes of a square-kernel 2-D convolution without bias.
public struct ConvolutionShape: Sendable, Equatable, CustomStringConvertible {
    /// Input channels.
    public let inChannels: Int
    /// Output channels (filters).
    public let outChannels: Int
    /// Kernel height and width in pixels.
    public let kernel: Int
    /// Step between windows in pixels.
    public let stride: Int
    /// Zero padding added on every side, in pixels.
    public let padding: Int

    /// A convolution shape; every size must be positive (padding ≥ 0).
    public init(inChannels: Int, outChannels: Int, kernel: Int, stride: Int = 1, padding: Int = 0) {
        precondition(inChannels > 0 && outChannels > 0 && kernel > 0 && stride > 0 && padding >= 0,
                     "ConvolutionShape: invalid sizes")
        self.inChannels = inChannels
        self.outChannels = outChannels
        self.kernel = kernel
        self.stride = stride
        self.padding = padding
    }

    /// Output height (or width) for an input of `size` pixels: `(size + 2·padding − kernel) / stride + 1`.
    public func outputSize(_ size: Int) -> Int {
        (size + 2 * padding - kernel) / stride + 1
    }

    /// Multiply-adds per output pixel: `kernel² × inChannels`, the inner dimension of the matrix product.
    public var reduction: Int { kernel * kernel * inChannels }

    /// The PyTorch weight shape `[out, in, kernel, kernel]`.
    public var pytorchWeightShape: [Int] { [outChannels, inChannels, kernel, kernel] }

    /// For example "conv 64→64 3×3 stride 1 pad 1".
    public var description: String {
        "conv \(inChannels)→\(outChannels) \(kernel)×\(kernel) stride \(stride) pad \(padding)"
    }
}

/// Convolution weights packed once at load time for channel-last (NHWC) products.
///
/// Two algorithms. `gemm`: PyTorch's `[out, in, ky, kx]` is repacked to `[out, ky, kx, in]`, the order
/// in which `im2col` lays out a window of an NHWC image, so the convolution is one product with the
/// weights used transposed (`[pixels, k²·in] · [out, k²·in]ᵀ`). `winograd` (3×3, stride 1, padding 1
/// only): the weights are stored as the 16 transform-domain matrices of `Winograd.transformWeights`.
public struct ConvolutionWeights: Sendable {
    /// How the convolution is computed.
    public enum Algorithm: Sendable, Equatable {
        /// `im2col` (or nothing, for 1×1) followed by one matrix product.
        case gemm
        /// Winograd F(2×2, 3×3) or F(4×4, 3×3): 16 or 36 matrix products in the transform domain.
        case winograd(Winograd.Variant)
    }

    /// The sizes.
    public let shape: ConvolutionShape
    /// The algorithm the weights are packed for.
    public let algorithm: Algorithm
    /// `[out, ky, kx, in]` for `gemm`; `positions × [out, in]` for `winograd`.
    public let packed: [Float]

    /// Packs PyTorch-layout weights (`shape.pytorchWeightShape`, row-major).
    ///
    /// `algorithm` nil picks Winograd wherever it applies (`Winograd.supports`): F(4×4, 3×3) when both
    /// channel counts are at least `Winograd.largeTileChannels`, else F(2×2, 3×3); other shapes use
    /// `gemm`. Asking for Winograd on a shape it does not support falls back to `gemm`.
    public init(pytorch weights: [Float], shape: ConvolutionShape, algorithm: Algorithm? = nil) {
        precondition(weights.count == shape.outChannels * shape.reduction,
                     "ConvolutionWeights: \(weights.count) values for \(shape)")
        self.shape = shape
        let chosen = algorithm ?? Self.automaticAlgorithm(for: shape)
        if case .winograd(let variant) = chosen, Winograd.supports(shape) {
            self.algorithm = chosen
            packed = Winograd.transformWeights(weights, outChannels: shape.outChannels, inChannels: shape.inChannels,
                                               variant: variant)
            return
        }
        self.algorithm = .gemm
        let k2 = shape.kernel * shape.kernel, cin = shape.inChannels
        if k2 == 1 {
            packed = weights
            return
        }
        var packed = [Float](repeating: 0, count: weights.count)
        for o in 0..<shape.outChannels {
            let base = o * shape.reduction
            for c in 0..<cin {
                for k in 0..<k2 { packed[base + k * cin + c] = weights[base + c * k2 + k] }
            }
        }
        self.packed = packed
    }

    /// The algorithm `init` picks when none is given.
    public static func automaticAlgorithm(for shape: ConvolutionShape) -> Algorithm {
        guard Winograd.supports(shape) else { return .gemm }
        let large = min(shape.inChannels, shape.outChannels) >= Winograd.largeTileChannels
        return .winograd(large ? .f4 : .f2)
    }
}

/// A per-output-channel map applied to a convolution's output as it is produced:
/// `max(x · scale[c] + shift[c], 0)` (without the maximum unless `relu`). A folded batch norm.
///
/// The pointers (`outChannels` floats each) must stay valid for the call that receives this.
public struct ConvolutionEpilogue {
    /// Multiplier per output channel.
    public let scale: UnsafePointer<Float>
    /// Offset per output channel.
    public let shift: UnsafePointer<Float>
    /// Whether negative results become 0.
    public let relu: Bool

    /// An epilogue from `outChannels` scales and shifts, with or without the ReLU.
    public init(scale: UnsafePointer<Float>, shift: UnsafePointer<Float>, relu: Bool) {
        self.scale = scale
        self.shift = shift
        self.relu = relu
    }
}

/// 2-D convolution on channel-last batches as matrix products through BLAS.
public enum Convolution {
    /// Largest temporary `im2col` block, in floats; longer products are split over output rows.
    public static let im2colBlockFloats = 1 << 22

    /// Convolves `[batch, height, width, in]` into `[batch, outHeight, outWidth, out]` (no bias).
    ///
    /// An `epilogue` is applied to every output (fused into Winograd's output transform, else one
    /// pass after the products). Winograd-packed weights run `Winograd.forward`. A 1×1 stride-1
    /// convolution is a single product on the input as stored. Other kernels gather
    /// each output pixel's window into a row (`im2col`, zero where the window leaves the image) in
    /// blocks of at most `blockFloats` (at least one row), each block followed by one product.
    public static func forward(
        _ x: UnsafePointer<Float>, batch: Int, height: Int, width: Int,
        weights: ConvolutionWeights, into out: UnsafeMutablePointer<Float>, scratch: ScratchBuffer,
        epilogue: ConvolutionEpilogue? = nil, blockFloats: Int = im2colBlockFloats
    ) {
        let shape = weights.shape
        let outHeight = shape.outputSize(height), outWidth = shape.outputSize(width)
        let pixels = batch * outHeight * outWidth
        guard pixels > 0 else { return }
        weights.packed.withUnsafeBufferPointer { w in
            let wp = w.baseAddress!
            if case .winograd(let variant) = weights.algorithm {
                Winograd.forward(x, batch: batch, height: height, width: width, inChannels: shape.inChannels,
                                 outChannels: shape.outChannels, variant: variant, transformed: wp, into: out,
                                 scratch: scratch, epilogue: epilogue)
                return
            }
            defer {
                if let epilogue {
                    Elementwise.channelAffine(out, rows: pixels, channels: shape.outChannels, scale: epilogue.scale,
                                              shift: epilogue.shift, relu: epilogue.relu, into: out)
                }
            }
            if shape.kernel == 1 && shape.stride == 1 && shape.padding == 0 {
                BLAS.sgemm(m: pixels, n: shape.outChannels, k: shape.inChannels,
                           a: x, b: wp, transposeB: true, c: out)
                return
            }
            let k = shape.reduction
            let blockRows = max(1, min(pixels, blockFloats / k))
            let columns = scratch.reserve(blockRows * k)
            var first = 0
            while first < pixels {
                let rows = min(blockRows, pixels - first)
                im2col(x, height: height, width: width, shape: shape, outHeight: outHeight, outWidth: outWidth,
                       firstPixel: first, pixels: rows, into: columns)
                BLAS.sgemm(m: rows, n: shape.outChannels, k: k, a: columns, b: wp, transposeB: true,
                           c: out + first * shape.outChannels)
                first += rows
            }
        }
    }

    /// Gathers the windows of output pixels `firstPixel ..< firstPixel + pixels` (flattened over
    /// batch, row, column) into rows of `kernel² × in` values ordered (ky, kx, channel).
    public static func im2col(
        _ x: UnsafePointer<Float>, height: Int, width: Int, shape: ConvolutionShape,
        outHeight: Int, outWidth: Int, firstPixel: Int, pixels: Int, into columns: UnsafeMutablePointer<Float>
    ) {
        let cin = shape.inChannels, kernel = shape.kernel
        let rowLength = shape.reduction
        for index in 0..<pixels {
            let pixel = firstPixel + index
            let ox = pixel % outWidth
            let oy = (pixel / outWidth) % outHeight
            let n = pixel / (outWidth * outHeight)
            let image = x + n * height * width * cin
            var dst = columns + index * rowLength
            for ky in 0..<kernel {
                let iy = oy * shape.stride - shape.padding + ky
                if iy < 0 || iy >= height {
                    dst.update(repeating: 0, count: kernel * cin)
                    dst += kernel * cin
                    continue
                }
                let ixStart = ox * shape.stride - shape.padding
                if ixStart >= 0 && ixStart + kernel <= width {
                    // The whole window row is inside: one contiguous copy.
                    dst.update(from: image + (iy * width + ixStart) * cin, count: kernel * cin)
                    dst += kernel * cin
                    continue
                }
                for kx in 0..<kernel {
                    let ix = ixStart + kx
                    if ix < 0 || ix >= width {
                        dst.update(repeating: 0, count: cin)
                    } else {
                        dst.update(from: image + (iy * width + ix) * cin, count: cin)
                    }
                    dst += cin
                }
            }
        }
    }
}
