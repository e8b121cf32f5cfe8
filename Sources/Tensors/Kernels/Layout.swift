/// Moves image batches between channel-first (NCHW, PyTorch's layout) and channel-last (NHWC).
///
/// The convolution kernels work channel-last, where a 1×1 convolution is a plain matrix product
/// and a per-channel epilogue runs over contiguous rows.
public enum Layout {
    /// Copies `[batch, channels, height, width]` into `[batch, height, width, channels]`.
    public static func nchwToNHWC(_ x: UnsafePointer<Float>, batch: Int, channels: Int, height: Int, width: Int,
                                  into out: UnsafeMutablePointer<Float>) {
        let plane = height * width
        for n in 0..<batch {
            let src = x + n * channels * plane
            let dst = out + n * channels * plane
            for c in 0..<channels {
                let channel = src + c * plane
                for i in 0..<plane { dst[i * channels + c] = channel[i] }
            }
        }
    }

    /// Copies `[batch, height, width, channels]` into `[batch, channels, height, width]`.
    public static func nhwcToNCHW(_ x: UnsafePointer<Float>, batch: Int, channels: Int, height: Int, width: Int,
                                  into out: UnsafeMutablePointer<Float>) {
        let plane = height * width
        for n in 0..<batch {
            let src = x + n * channels * plane
            let dst = out + n * channels * plane
            for i in 0..<plane {
                let pixel = src + i * channels
                for c in 0..<channels { dst[c * plane + i] = pixel[c] }
            }
        }
    }
}

/// Average pooling on channel-last batches.
public enum Pooling {
    /// `AvgPool2d(kernel)` (stride = kernel, no padding, floor mode) on `[batch, height, width, channels]`.
    ///
    /// Output is `[batch, height / kernel, width / kernel, channels]` (integer division: trailing
    /// rows and columns that do not fill a window are dropped, as in PyTorch). The window is summed
    /// row by row, left to right, then divided by `kernel²`.
    public static func average(_ x: UnsafePointer<Float>, batch: Int, height: Int, width: Int, channels: Int,
                               kernel: Int, into out: UnsafeMutablePointer<Float>) {
        precondition(kernel >= 1, "Pooling.average: kernel \(kernel) < 1")
        let outHeight = height / kernel, outWidth = width / kernel
        let divisor = Float(kernel * kernel)
        for n in 0..<batch {
            for oy in 0..<outHeight {
                for ox in 0..<outWidth {
                    let dst = out + ((n * outHeight + oy) * outWidth + ox) * channels
                    let first = x + ((n * height + oy * kernel) * width + ox * kernel) * channels
                    dst.update(from: first, count: channels)
                    for ky in 0..<kernel {
                        for kx in 0..<kernel where ky > 0 || kx > 0 {
                            Elementwise.add(first + (ky * width + kx) * channels, into: dst, count: channels)
                        }
                    }
                    for c in 0..<channels { dst[c] /= divisor }
                }
            }
        }
    }

    /// Mean over the `positions` rows of each of `batch` groups: `[batch, positions, channels]` → `[batch, channels]`.
    ///
    /// `out` rows are `outStride` floats apart (default `channels`).
    public static func mean(_ x: UnsafePointer<Float>, batch: Int, positions: Int, channels: Int,
                            into out: UnsafeMutablePointer<Float>, outStride: Int? = nil) {
        let stride = outStride ?? channels
        for n in 0..<batch {
            let dst = out + n * stride
            let src = x + n * positions * channels
            dst.update(repeating: 0, count: channels)
            for p in 0..<positions { Elementwise.add(src + p * channels, into: dst, count: channels) }
            let divisor = Float(positions)
            for c in 0..<channels { dst[c] /= divisor }
        }
    }
}
