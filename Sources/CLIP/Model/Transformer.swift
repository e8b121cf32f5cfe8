import Tensors

/// Sequences packed row after row into one `[total, width]` token matrix.
///
/// Token-wise layers (norms, projections, MLP) run once over all rows; only attention looks at
/// sequence boundaries. Text captions of different lengths pack without padding.
struct TokenSequences {
    /// Tokens per sequence (each ≥ 1).
    let lengths: [Int]
    /// First row of each sequence.
    let offsets: [Int]
    /// Rows in all.
    let total: Int

    init(lengths: [Int]) {
        self.lengths = lengths
        var offsets: [Int] = []
        var total = 0
        for length in lengths {
            offsets.append(total)
            total += length
        }
        self.offsets = offsets
        self.total = total
    }

    /// `count` sequences of `length` tokens each.
    init(count: Int, length: Int) {
        self.init(lengths: [Int](repeating: length, count: count))
    }

    var count: Int { lengths.count }
    var maxLength: Int { lengths.max() ?? 0 }

    /// Copies row `positions[s]` of each sequence `s` of `x` (rows of `width` floats) to row `s` of `out`.
    func gather(_ x: UnsafePointer<Float>, positions: [Int], width: Int, into out: UnsafeMutablePointer<Float>) {
        for s in 0..<count {
            (out + s * width).update(from: x + (offsets[s] + positions[s]) * width, count: width)
        }
    }
}

/// One thread's temporaries for a transformer forward pass (reused across blocks and chunks).
final class TransformerScratch {
    let normed = ScratchBuffer()
    let query = ScratchBuffer()
    let keyValue = ScratchBuffer()
    let context = ScratchBuffer()
    let hidden = ScratchBuffer()
    let scores = ScratchBuffer()
    let pooled = ScratchBuffer()
}

/// open_clip's `ResidualAttentionBlock`: `x += attn(ln_1(x)); x += mlp(ln_2(x))`.
///
/// The in-projection (`attn.in_proj_weight`, rows `[q; k; v]`) is kept as two products, queries and
/// keys+values, so the last block can project queries for the pooled tokens only.
struct ResidualAttentionBlock: Sendable {
    let width: Int
    let heads: Int
    let ln1: LayerNormLayer
    let ln2: LayerNormLayer
    let query: LinearWeights
    let keyValue: LinearWeights
    let outProjection: LinearWeights
    let fc: LinearWeights
    let projection: LinearWeights
    let activation: MLPActivation

    /// Reads the block at `prefix` (e.g. `visual.transformer.resblocks.0`).
    init(_ reader: TensorReader, _ prefix: String, width: Int, heads: Int, mlpWidth: Int,
         activation: MLPActivation) throws(CLIPError) {
        self.width = width
        self.heads = heads
        self.activation = activation
        ln1 = try LayerNormLayer(reader, prefix + ".ln_1", width: width)
        ln2 = try LayerNormLayer(reader, prefix + ".ln_2", width: width)
        let inWeight = try reader.read(prefix + ".attn.in_proj_weight", shape: [3 * width, width], role: .weight(fanIn: width))
        let inBias = try reader.read(prefix + ".attn.in_proj_bias", shape: [3 * width], role: .bias)
        query = LinearWeights(inFeatures: width, outFeatures: width,
                              weight: Array(inWeight[0..<(width * width)]), bias: Array(inBias[0..<width]))
        keyValue = LinearWeights(inFeatures: width, outFeatures: 2 * width,
                                 weight: Array(inWeight[(width * width)...]), bias: Array(inBias[width...]))
        outProjection = try LinearWeights(reader, prefix + ".attn.out_proj", inFeatures: width, outFeatures: width)
        fc = try LinearWeights(reader, prefix + ".mlp.c_fc", inFeatures: width, outFeatures: mlpWidth)
        projection = try LinearWeights(reader, prefix + ".mlp.c_proj", inFeatures: mlpWidth, outFeatures: width)
    }

    var headDim: Int { width / heads }

    /// Updates every row of `x` (`[sequences.total, width]`) in place.
    ///
    /// With a recorder, stores `<name>.ln_1`, `.attn`, `.resid_mid`, `.ln_2`, `.mlp.c_fc`,
    /// `.mlp.gelu`, `.mlp` and `<name>` as `[count, length, width]` (sequences of equal length).
    func forward(_ x: UnsafeMutablePointer<Float>, sequences: TokenSequences, causal: Bool,
                 scratch: TransformerScratch, recorder: ActivationRecorder?, name: String) {
        let rows = sequences.total
        let normed = scratch.normed.reserve(rows * width)
        let q = scratch.query.reserve(rows * width)
        let kv = scratch.keyValue.reserve(rows * 2 * width)
        let context = scratch.context.reserve(rows * width)
        let hidden = scratch.hidden.reserve(rows * fc.outFeatures)
        let scores = scratch.scores.reserve(sequences.maxLength * sequences.maxLength)
        let record = { (suffix: String, pointer: UnsafePointer<Float>, columns: Int) in
            recorder?.record(name + suffix, shape: [sequences.count, sequences.maxLength, columns], from: pointer)
        }
        /// `x += layer(input)`: fused into the product, or (recording) through `normed` so the
        /// branch and the sum are recorded under `branch` and `sum`.
        func addResidual(_ layer: LinearWeights, _ input: UnsafePointer<Float>, branch: String, sum: String) {
            guard recorder != nil else {
                layer.forward(input, rows: rows, into: x, accumulate: true)
                return
            }
            layer.forward(input, rows: rows, into: normed)
            record(branch, normed, width)
            Elementwise.add(normed, into: x, count: rows * width)
            record(sum, x, width)
        }

        ln1.forward(x, rows: rows, into: normed)
        record(".ln_1", normed, width)
        query.forward(normed, rows: rows, into: q)
        keyValue.forward(normed, rows: rows, into: kv)
        for s in 0..<sequences.count {
            let first = sequences.offsets[s], length = sequences.lengths[s]
            Attention.forward(q: MatrixView(q + first * width, stride: width),
                              k: MatrixView(kv + first * 2 * width, stride: 2 * width),
                              v: MatrixView(kv + first * 2 * width + width, stride: 2 * width),
                              queries: length, keys: length, heads: heads, headDim: headDim, causal: causal,
                              into: context + first * width, outStride: width, scores: scores)
        }
        addResidual(outProjection, context, branch: ".attn", sum: ".resid_mid")

        ln2.forward(x, rows: rows, into: normed)
        record(".ln_2", normed, width)
        fc.forward(normed, rows: rows, into: hidden)
        record(".mlp.c_fc", hidden, fc.outFeatures)
        Elementwise.apply(activation, to: hidden, count: rows * fc.outFeatures)
        record(".mlp.gelu", hidden, fc.outFeatures)
        addResidual(projection, hidden, branch: ".mlp", sum: "")
    }

    /// Computes the block's output for one token per sequence only: row `positions[s]` of sequence `s`.
    ///
    /// Keys and values still come from every token, but queries, the output projection and the MLP
    /// run on `sequences.count` rows instead of `sequences.total`. Writes `[count, width]` to `out`.
    /// Exact for the last block, whose other outputs nothing reads.
    func forwardPooled(_ x: UnsafePointer<Float>, sequences: TokenSequences, positions: [Int], causal: Bool,
                       into out: UnsafeMutablePointer<Float>, scratch: TransformerScratch) {
        let rows = sequences.total, count = sequences.count
        let normed = scratch.normed.reserve(rows * width)
        let q = scratch.query.reserve(count * width)
        let kv = scratch.keyValue.reserve(rows * 2 * width)
        let context = scratch.context.reserve(count * width)
        let hidden = scratch.hidden.reserve(count * fc.outFeatures)
        let scores = scratch.scores.reserve(sequences.maxLength)

        ln1.forward(x, rows: rows, into: normed)
        keyValue.forward(normed, rows: rows, into: kv)
        sequences.gather(normed, positions: positions, width: width, into: context)  // the pooled rows' ln_1
        sequences.gather(x, positions: positions, width: width, into: out)           // and their residual
        query.forward(context, rows: count, into: q)
        for s in 0..<count {
            let first = sequences.offsets[s]
            Attention.forward(q: MatrixView(q + s * width, stride: width),
                              k: MatrixView(kv + first * 2 * width, stride: 2 * width),
                              v: MatrixView(kv + first * 2 * width + width, stride: 2 * width),
                              queries: 1, keys: sequences.lengths[s], heads: heads, headDim: headDim,
                              causal: causal, firstQueryPosition: positions[s],
                              into: context + s * width, outStride: width, scores: scores)
        }
        outProjection.forward(context, rows: count, into: out, accumulate: true)
        ln2.forward(out, rows: count, into: normed)
        fc.forward(normed, rows: count, into: hidden)
        Elementwise.apply(activation, to: hidden, count: count * fc.outFeatures)
        projection.forward(hidden, rows: count, into: out, accumulate: true)
    }
}

/// A stack of residual attention blocks with a final layer norm, pooled at one token per sequence.
struct Transformer: Sendable {
    let width: Int
    let blocks: [ResidualAttentionBlock]
    /// The layer norm applied after the blocks (`ln_post` or `ln_final`).
    let finalNorm: LayerNormLayer
    /// Module path of the blocks, e.g. `visual.transformer.resblocks`.
    let blockPrefix: String
    /// Module path of the final norm, for recording.
    let finalNormName: String

    /// Reads `layers` blocks under `blockPrefix` and the final norm at `finalNormName`.
    init(_ reader: TensorReader, blockPrefix: String, finalNormName: String, width: Int, heads: Int, layers: Int,
         mlpWidth: Int, activation: MLPActivation) throws(CLIPError) {
        self.width = width
        self.blockPrefix = blockPrefix
        self.finalNormName = finalNormName
        var blocks: [ResidualAttentionBlock] = []
        for i in 0..<layers {
            blocks.append(try ResidualAttentionBlock(reader, "\(blockPrefix).\(i)", width: width, heads: heads,
                                                     mlpWidth: mlpWidth, activation: activation))
        }
        self.blocks = blocks
        finalNorm = try LayerNormLayer(reader, finalNormName, width: width)
    }

    /// Runs the blocks over `x` and writes the final-normed token at `positions[s]` of each sequence
    /// to row `s` of `out` (`[sequences.count, width]`).
    ///
    /// `x` (`[sequences.total, width]`) is overwritten. Without a recorder the last block runs for the
    /// pooled tokens only; with one, every block and the final norm run over all tokens and are recorded.
    func encodePooled(_ x: UnsafeMutablePointer<Float>, sequences: TokenSequences, positions: [Int], causal: Bool,
                      into out: UnsafeMutablePointer<Float>, scratch: TransformerScratch, recorder: ActivationRecorder?) {
        guard let recorder, !blocks.isEmpty else {
            for block in blocks.dropLast() {
                block.forward(x, sequences: sequences, causal: causal, scratch: scratch, recorder: nil, name: "")
            }
            if let last = blocks.last {
                last.forwardPooled(x, sequences: sequences, positions: positions, causal: causal, into: out, scratch: scratch)
            } else {
                sequences.gather(x, positions: positions, width: width, into: out)
            }
            finalNorm.forward(out, rows: sequences.count, into: out)
            return
        }
        for (i, block) in blocks.enumerated() {
            block.forward(x, sequences: sequences, causal: causal, scratch: scratch, recorder: recorder,
                          name: "\(blockPrefix).\(i)")
        }
        finalNorm.forward(x, rows: sequences.total, into: x)
        recorder.record(finalNormName, shape: [sequences.count, sequences.maxLength, width], from: x)
        sequences.gather(x, positions: positions, width: width, into: out)
    }
}
