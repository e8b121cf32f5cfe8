import Foundation
import Tensors

/// ImageNet-style distractor prompts for the cross-modal readout.
public enum DistractorPrompts {
    /// 90 common object classes (ImageNet / COCO / CIFAR style), singular, lower case.
    public static let classes: [String] = [
        "airplane", "apple", "backpack", "banana", "bear", "bed", "bee", "bench", "bicycle", "bird",
        "boat", "book", "bottle", "bowl", "bread", "bridge", "broccoli", "bus", "butterfly", "cake",
        "camel", "car", "carrot", "castle", "cat", "chair", "clock", "cloud", "computer keyboard", "couch",
        "cow", "crab", "cup", "deer", "dog", "dolphin", "donkey", "duck", "elephant", "fish",
        "flower", "fork", "fox", "frog", "giraffe", "guitar", "hamburger", "hat", "horse", "house",
        "kangaroo", "kite", "knife", "ladder", "lamp", "laptop", "lemon", "lion", "lizard", "motorcycle",
        "mountain", "mouse", "mushroom", "orange", "owl", "parrot", "penguin", "piano", "pizza", "rabbit",
        "rose", "sandwich", "sheep", "shoe", "skateboard", "snake", "spider", "spoon", "squirrel", "strawberry",
        "table", "teddy bear", "television", "tiger", "toothbrush", "tractor", "train", "tree", "truck", "umbrella",
    ]

    /// The prompt for one class: "a photo of a {class}." (with "an" before a vowel).
    public static func prompt(for className: String) -> String {
        let article = className.first.map { "aeiou".contains($0) } == true ? "an" : "a"
        return "a photo of \(article) \(className)."
    }

    /// The default prompts, leaving out every class whose name occurs as a whole word (or
    /// phrase) in `caption` (case-insensitive), so the caption never competes with itself.
    public static func prompts(excludingClassesIn caption: String? = nil) -> [String] {
        let words = caption.map(wordsOf) ?? []
        return classes.filter { name in
            let nameWords = wordsOf(name)
            guard !nameWords.isEmpty, words.count >= nameWords.count else { return true }
            for start in 0...(words.count - nameWords.count) where Array(words[start..<(start + nameWords.count)]) == nameWords {
                return false
            }
            return true
        }.map(prompt(for:))
    }

    /// Lower-cased words of `text`, a trailing plural "s" removed (so "cats" matches "cat").
    static func wordsOf(_ text: String) -> [String] {
        text.lowercased().split { !$0.isLetter }.map { word in
            word.count > 3 && word.hasSuffix("s") && !word.hasSuffix("ss") ? String(word.dropLast()) : String(word)
        }
    }
}

/// The caption's standing at one sweep position.
public struct CrossModalPoint: Codable, Sendable, Equatable {
    /// The sweep parameter of the variant (preset units).
    public var level: Double
    /// Cosine of the variant with the caption (raw).
    public var captionSimilarity: Double
    /// Mean cosine with the distractor prompts (the cross-modal "unrelated" baseline).
    public var distractorMean: Double
    /// Largest cosine with a distractor prompt.
    public var bestDistractor: Double
    /// `(caption − distractorMean) / (1 − distractorMean)`.
    public var normalizedCaptionSimilarity: Double
    /// The caption's rank among caption + distractors (1 = best match; ties count against it).
    public var rank: Int
    /// rank / (1 + distractors): the one-sided p-value of the rank test.
    public var pValue: Double
    /// Whether the caption is recognised here (p ≤ α and normalised similarity ≥ floor).
    public var recognized: Bool

    enum CodingKeys: String, CodingKey {
        case level
        case captionSimilarity = "caption_similarity"
        case distractorMean = "distractor_mean"
        case bestDistractor = "best_distractor"
        case normalizedCaptionSimilarity = "normalized_caption_similarity"
        case rank
        case pValue = "p_value"
        case recognized
    }
}

/// The result of `CrossModalReadout.evaluate`.
public struct CrossModalResult: DetectorResult, Codable, Equatable {
    /// Headline: whether the sweep breaks the caption readout.
    public var finding: Finding
    /// No components.
    public var components: [Finding]
    /// The readout at every variant, in sweep order.
    public var readout: [CrossModalPoint]
}

/// The cross-modal readout along a sweep: each variant's similarity to its caption and the
/// caption's rank among distractor prompts (see `DistractorPrompts`).
///
/// **Per variant.** Null ("the image says nothing about the caption"): the caption is
/// exchangeable with the distractor prompts, so its rank r among the m + 1 prompts is uniform
/// and p = r / (m + 1) (resolution 1/(m + 1); 90 distractors → 0.011). Normalised similarity is
/// taken against the distractors, the cross-modal unrelated baseline (image–text cosines sit far
/// below image–image ones, so the image baseline does not apply):
/// `(s − mean_distractors) / (1 − mean_distractors)`. The caption is *recognised* at a variant
/// when p ≤ α = 0.05 and that normalised similarity is ≥ 0.02.
///
/// **Finding.** `detected` = the sweep breaks the readout: the caption is recognised at the
/// reference variant (the clean one, by default the first) and not recognised at some variant;
/// `value` is the level of the first such variant (preset units); `score` is the fraction of
/// variants at which it is recognised; `effect` is the drop of the normalised caption similarity
/// from the reference to the worst variant; `p_value` is the reference variant's rank p-value.
public enum CrossModalReadout {
    /// Thresholds of the per-variant recognition.
    public struct Configuration: Sendable, Equatable {
        /// Significance level of the per-variant rank test.
        public var alpha: Double = 0.05
        /// Minimum normalised caption similarity for recognition.
        public var effectFloor: Double = 0.02
        /// The defaults documented on each property.
        public init() {}
    }

    static let nullModel = "caption exchangeable with the distractor prompts (rank among caption + distractors)"

    /// Evaluates the readout. `images` holds one embedding per variant (n × d), `caption` one
    /// text embedding (1 × d), `distractors` the distractor prompts' embeddings (m × d);
    /// `levels[i]` is variant i's sweep parameter in `unit`; `referenceIndex` the clean variant.
    ///
    /// - Throws: `AnalysisError.invalidInput` for mismatched shapes, no distractors, or a
    ///   reference index outside the sweep.
    public static func evaluate(images: Matrix, caption: Matrix, distractors: Matrix, levels: [Double], unit: String,
                                referenceIndex: Int = 0, configuration: Configuration = Configuration())
        throws(AnalysisError) -> CrossModalResult {
        guard caption.rows == 1 else {
            throw AnalysisError(.invalidInput, "expected one caption embedding, got \(caption.rows)", location: "caption")
        }
        guard distractors.rows >= 1 else {
            throw AnalysisError(.invalidInput, "no distractor prompts", location: "distractors")
        }
        guard images.columns == caption.columns, images.columns == distractors.columns else {
            throw AnalysisError(.invalidInput,
                                "image (\(images.columns)), caption (\(caption.columns)) and distractor (\(distractors.columns)) dimensions differ",
                                location: "embedding dimension")
        }
        guard levels.count == images.rows else {
            throw AnalysisError(.invalidInput, "\(levels.count) levels for \(images.rows) variants", location: "levels")
        }
        guard images.rows > 0, referenceIndex >= 0, referenceIndex < images.rows else {
            throw AnalysisError(.invalidInput, "reference variant \(referenceIndex) is outside the sweep of \(images.rows)",
                                location: "referenceIndex")
        }
        let texts = Matrix(stacking: [caption.row(0)] + (0..<distractors.rows).map { distractors.row($0) },
                           columns: caption.columns)
        let quadrants = try Similarity.quadrants(images: images, texts: texts)
        let m = distractors.rows
        var readout: [CrossModalPoint] = []
        for i in 0..<images.rows {
            let captionSimilarity = Double(quadrants.imageText[i, 0])
            let others = (1...m).map { Double(quadrants.imageText[i, $0]) }
            let mean = Statistics.mean(others)
            let best = others.max() ?? mean
            let rank = 1 + others.filter { $0 >= captionSimilarity }.count
            let p = Double(rank) / Double(m + 1)
            let denominator = max(1 - mean, 1e-6)
            let normalized = (captionSimilarity - mean) / denominator
            readout.append(CrossModalPoint(
                level: levels[i], captionSimilarity: captionSimilarity, distractorMean: mean, bestDistractor: best,
                normalizedCaptionSimilarity: normalized, rank: rank, pValue: p,
                recognized: p <= configuration.alpha && normalized >= configuration.effectFloor))
        }
        let reference = readout[referenceIndex]
        let firstLost = readout.firstIndex { !$0.recognized }
        let worst = readout.map(\.normalizedCaptionSimilarity).min() ?? reference.normalizedCaptionSimilarity
        var warnings = quadrants.warnings
        let resolution = 1 / Double(m + 1)
        if resolution > configuration.alpha {
            warnings.append(AnalysisWarning(code: "coarse-null",
                                            message: "only \(m) distractors: the rank test cannot go below \(resolution) > α = \(configuration.alpha)"))
        }
        if !reference.recognized {
            warnings.append(AnalysisWarning(code: "caption-not-recognized",
                                            message: "the caption is not recognised even at the reference variant (rank \(reference.rank) of \(m + 1))"))
        }
        let finding = Finding(
            detector: .crossmodal, component: nil,
            detected: reference.recognized && firstLost != nil,
            score: Double(readout.filter(\.recognized).count) / Double(readout.count),
            effect: reference.normalizedCaptionSimilarity - worst,
            pValue: reference.pValue, value: firstLost.map { readout[$0].level }, unit: unit,
            statistic: "fraction of variants whose caption is recognised among \(m) distractors; effect = drop of the normalised caption similarity from the reference to the worst variant; value = level of the first variant where it is lost",
            thresholds: Thresholds(alpha: configuration.alpha, comparisons: 1, effectFloor: configuration.effectFloor,
                                   pValueResolution: resolution),
            nullModel: nullModel, baseline: reference.distractorMean, warnings: warnings)
        return CrossModalResult(finding: finding, components: [], readout: readout)
    }
}
