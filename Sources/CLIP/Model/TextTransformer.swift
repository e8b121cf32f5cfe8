import Tensors

/// open_clip's text tower: token + positional embedding, causal blocks, `ln_final`, pooling at the
/// end-of-text token (the position of the largest id), `@ text_projection`.
///
/// Under the causal mask a token only sees earlier tokens, so nothing after the end token reaches
/// the pooled output: each caption is cut right after its end token, the captions are packed
/// without padding, and the last block runs for the end tokens only.
struct TextTransformer: Sendable {
    let contextLength: Int
    let vocabularySize: Int
    let width: Int
    let outputDim: Int
    let tokenEmbedding: [Float]
    let positionalEmbedding: [Float]
    let transformer: Transformer
    let projection: LinearWeights

    init(_ reader: TensorReader, config: TextConfig, embedDim: Int, activation: MLPActivation) throws(CLIPError) {
        contextLength = config.contextLength
        vocabularySize = config.vocabSize
        width = config.width
        outputDim = embedDim
        tokenEmbedding = try reader.read("token_embedding.weight", shape: [config.vocabSize, width],
                                         role: .embedding(scale: 0.02))
        positionalEmbedding = try reader.read("positional_embedding", shape: [contextLength, width],
                                              role: .embedding(scale: 0.01))
        transformer = try Transformer(reader, blockPrefix: "transformer.resblocks", finalNormName: "ln_final",
                                      width: width, heads: config.heads, layers: config.layers,
                                      mlpWidth: config.mlpWidth, activation: activation)
        let proj = try reader.read("text_projection", shape: [width, embedDim], role: .weight(fanIn: width))
        projection = LinearWeights(rightMultiplied: proj, inFeatures: width, outFeatures: embedDim)
    }

    /// The pooled position of a caption: the first position of its largest id (PyTorch `argmax`).
    static func endPosition(_ ids: ArraySlice<Int>) -> Int {
        var best = ids.startIndex
        for i in ids.indices where ids[i] > ids[best] { best = i }
        return best - ids.startIndex
    }

    /// Encodes `count` captions of `contextLength` ids each (`ids`, row after row) into `out` (`[count, outputDim]`).
    ///
    /// Ids must already be checked to lie in `0 ..< vocabularySize`.
    func encode(_ ids: [Int], count: Int, into out: UnsafeMutablePointer<Float>,
                scratch: TransformerScratch, tokens: ScratchBuffer, recorder: ActivationRecorder?) {
        let ends = (0..<count).map { Self.endPosition(ids[($0 * contextLength)..<(($0 + 1) * contextLength)]) }
        let lengths = recorder == nil ? ends.map { $0 + 1 } : [Int](repeating: contextLength, count: count)
        let sequences = TokenSequences(lengths: lengths)
        let x = tokens.reserve(sequences.total * width)
        tokenEmbedding.withUnsafeBufferPointer { table in
            for s in 0..<count {
                for p in 0..<lengths[s] {
                    let id = ids[s * contextLength + p]
                    (x + (sequences.offsets[s] + p) * width).update(from: table.baseAddress! + id * width, count: width)
                }
            }
        }
        recorder?.record("token_embedding", shape: [count, contextLength, width], from: x)
        positionalEmbedding.withUnsafeBufferPointer { pos in
            for s in 0..<count {
                Elementwise.add(pos.baseAddress!, into: x + sequences.offsets[s] * width, count: lengths[s] * width)
            }
        }
        recorder?.record("text_embeds", shape: [count, contextLength, width], from: x)
        recorder?.record("text_eot_index", Tensor(shape: [count], values: ends.map { Float($0) }))

        let pooled = scratch.pooled.reserve(count * width)
        transformer.encodePooled(x, sequences: sequences, positions: ends, causal: true, into: pooled,
                                 scratch: scratch, recorder: recorder)
        recorder?.record("text_pooled", shape: [count, width], from: pooled)
        projection.forward(pooled, rows: count, into: out)
    }
}

/// One thread's temporaries for the text tower.
final class TextScratch {
    let transformer = TransformerScratch()
    let tokens = ScratchBuffer()
}
