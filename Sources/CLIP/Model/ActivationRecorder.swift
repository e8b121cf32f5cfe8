import Tensors

/// Collects named intermediate activations during a forward pass, for golden tests and debugging.
///
/// Pass one to a tower's `encode`; afterwards `activations` holds every module output under the
/// open_clip module path (`visual.layer1.0.conv1`, `transformer.resblocks.0.ln_1`, ...), in PyTorch's
/// layouts: `[N, C, H, W]` for ResNet feature maps, `[N, tokens, width]` for transformer tokens.
/// Recording runs the batch on one thread and computes what the fast path skips (text positions
/// after the end token, the last block's non-pooled tokens), so the recorded tensors are complete;
/// without a recorder none of this costs anything. Not thread-safe: one recorder per forward pass.
public final class ActivationRecorder {
    /// Everything recorded so far, by module path.
    public private(set) var activations: [String: Tensor] = [:]

    /// An empty recorder.
    public init() {}

    /// The activation recorded under `name`, if any.
    public subscript(name: String) -> Tensor? { activations[name] }

    /// Records `shape.product` floats starting at `pointer` under `name`.
    func record(_ name: String, shape: [Int], from pointer: UnsafePointer<Float>) {
        let count = shape.reduce(1, *)
        activations[name] = Tensor(shape: shape, values: Array(UnsafeBufferPointer(start: pointer, count: count)))
    }

    /// Records a channel-last `[batch, height, width, channels]` map as PyTorch's `[batch, channels, height, width]`.
    func recordFeatureMap(_ name: String, _ pointer: UnsafePointer<Float>,
                          batch: Int, height: Int, width: Int, channels: Int) {
        var values = [Float](repeating: 0, count: batch * height * width * channels)
        values.withUnsafeMutableBufferPointer { out in
            Layout.nhwcToNCHW(pointer, batch: batch, channels: channels, height: height, width: width,
                              into: out.baseAddress!)
        }
        activations[name] = Tensor(shape: [batch, channels, height, width], values: values)
    }

    /// Records a tensor built elsewhere.
    func record(_ name: String, _ tensor: Tensor) {
        activations[name] = tensor
    }
}
