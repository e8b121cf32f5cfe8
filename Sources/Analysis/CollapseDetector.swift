import Tensors

/// One image's noise or blur sweep, ready for `CollapseDetector`.
public struct CollapseSweep: Sendable {
    /// The image's name (copied into its findings' `image`), if known.
    public var name: String?
    /// The sweep level of each variant, in the preset's units (e.g. noise sigma in [0, 1]).
    public var levels: [Double]
    /// The noise seed (replicate) of each variant; use one value for deterministic sweeps (blur).
    public var seeds: [Int]
    /// Cosines among the variants (n × n, variants in the order of `levels`).
    public var similarities: Matrix
    /// Cosine of each variant with the clean image.
    public var similarityToClean: [Double]
    /// Degenerate-row warnings carried over from the embeddings, if built by `fromEmbeddings`.
    public var warnings: [AnalysisWarning]

    /// Validates and stores a sweep.
    ///
    /// - Throws: `AnalysisError.invalidInput` when the per-variant lists and the matrix do not
    ///   have one entry per variant, hold non-finite values, or there are fewer than 4 levels.
    public init(name: String? = nil, levels: [Double], seeds: [Int], similarities: Matrix,
                similarityToClean: [Double], warnings: [AnalysisWarning] = []) throws(AnalysisError) {
        let n = levels.count
        let label = name.map { "\($0): " } ?? ""
        guard seeds.count == n, similarityToClean.count == n else {
            throw AnalysisError(.invalidInput,
                                "\(label)\(n) levels, \(seeds.count) seeds and \(similarityToClean.count) clean similarities: need one each per variant",
                                location: "collapse sweep")
        }
        try similarities.requireSquare("\(label)collapse similarity matrix", size: n)
        try similarities.requireFinite("\(label)collapse similarity matrix")
        if let bad = levels.firstIndex(where: { !$0.isFinite }) {
            throw AnalysisError(.invalidInput, "\(label)level \(bad) is not finite", location: "levels[\(bad)]")
        }
        if let bad = similarityToClean.firstIndex(where: { !$0.isFinite }) {
            throw AnalysisError(.invalidInput, "\(label)clean similarity \(bad) is not finite", location: "similarityToClean[\(bad)]")
        }
        guard Set(levels).count >= 4 else {
            throw AnalysisError(.invalidInput, "\(label)a collapse sweep needs at least 4 distinct levels, got \(Set(levels).count)",
                                location: "levels")
        }
        self.name = name
        self.levels = levels
        self.seeds = seeds
        self.similarities = similarities
        self.similarityToClean = similarityToClean
        self.warnings = warnings
    }

    /// Builds a sweep from embeddings: `variants` (n × d) and the clean image's embedding
    /// (`clean`, 1 × d), with the degenerate-row rule of `Similarity`.
    ///
    /// - Throws: `AnalysisError.invalidInput` for mismatched shapes (see `init`).
    public static func fromEmbeddings(name: String? = nil, variants: Matrix, clean: Matrix, levels: [Double],
                                      seeds: [Int]) throws(AnalysisError) -> CollapseSweep {
        guard clean.rows == 1, clean.columns == variants.columns else {
            throw AnalysisError(.invalidInput,
                                "the clean embedding is \(clean.rows)×\(clean.columns); expected 1×\(variants.columns)",
                                location: "clean embedding")
        }
        let unitVariants = Similarity.unitRows(variants, label: "\(name ?? "collapse") variants")
        let unitClean = Similarity.unitRows(clean, label: "\(name ?? "collapse") clean image")
        let matrix = Similarity.selfProduct(unitVariants)
        let toClean = Similarity.product(unitVariants, unitClean)
        return try CollapseSweep(name: name, levels: levels, seeds: seeds, similarities: matrix,
                                 similarityToClean: (0..<variants.rows).map { Double(toClean[$0, 0]) },
                                 warnings: unitVariants.warnings + unitClean.warnings)
    }
}

/// Curves along the sweep's levels (one value per distinct level, ascending).
public struct CollapseCurve: Codable, Sendable, Equatable {
    /// The distinct levels, ascending (preset units).
    public var levels: [Double]
    /// Mean raw cosine with the clean image.
    public var similarityToClean: [Double]
    /// The same in normalised units.
    public var similarityToCleanNormalized: [Double]
    /// Mean normalised cosine with the collapsed block (the variants of the top quarter of levels).
    public var similarityToBlock: [Double]
    /// `similarityToBlock − similarityToCleanNormalized`: > 0 once a variant is closer to the
    /// collapsed block than to the clean image.
    public var collapseIndex: [Double]

    enum CodingKeys: String, CodingKey {
        case levels
        case similarityToClean = "similarity_to_clean"
        case similarityToCleanNormalized = "similarity_to_clean_normalized"
        case similarityToBlock = "similarity_to_block"
        case collapseIndex = "collapse_index"
    }
}

/// One image's collapse analysis.
public struct CollapseImageResult: Codable, Sendable, Equatable {
    /// The image's finding (component `per_image`, `image` = the sweep's name).
    public var finding: Finding
    /// Its curves.
    public var curve: CollapseCurve
    /// Mean normalised cosine among the top-block variants (how near-identical they are).
    public var blockCoherence: Double
    /// Mean normalised cosine of the clean image with the top-block variants.
    public var blockToClean: Double

    enum CodingKeys: String, CodingKey {
        case finding, curve
        case blockCoherence = "block_coherence"
        case blockToClean = "block_to_clean"
    }
}

/// The result of `CollapseDetector.detect`.
public struct CollapseResult: DetectorResult, Codable, Equatable {
    /// Headline: the single image's finding, or the pooled finding over several images.
    public var finding: Finding
    /// With several images, one finding per image; empty for one image.
    public var components: [Finding]
    /// Per-image details.
    public var perImage: [CollapseImageResult]
    /// Curves averaged over images (equal to the single image's curve for one image).
    public var pooledCurve: CollapseCurve

    enum CodingKeys: String, CodingKey {
        case finding, components
        case perImage = "per_image"
        case pooledCurve = "pooled_curve"
    }
}

/// Finds the collapse threshold of a noise or blur sweep: the level from which the variants
/// become near-identical to each other (the bright lower-right block) while their similarity to
/// the clean image has dropped.
///
/// **Definitions.** The *collapsed block* is the set of variants in the top quarter of the
/// levels (at least two levels). For each level, the *collapse index* is the variants' mean
/// normalised similarity to the block (excluding themselves) minus their mean normalised
/// similarity to the clean image: negative while a variant is closer to the clean image, positive
/// once it is closer to the collapsed state. The **collapse threshold** is the level where the
/// index last crosses zero from below (linear interpolation between levels), in the preset's
/// units: from there on the variants look more like each other's collapsed state than like the
/// image.
///
/// **Statistic and null.** The collapse gap `G = B − C`: the block's mean normalised internal
/// similarity minus its mean normalised similarity to the clean image. Null ("no collapse": the
/// heavily degraded variants are no more alike than they are like the clean image): the clean
/// image is exchangeable with the block's variants, so its mean similarity to the block ranks
/// uniformly among the block variants' own (leave-one-out) means: p = (1 + #{block variants
/// whose mean similarity to the rest of the block is ≤ the clean image's}) / (1 + |block|).
/// Resolution 1/(1 + |block|): with 100 levels and one seed, 25 block variants, p ≥ 0.038.
/// Several images: Fisher's combination of the per-image p-values (conservative for these
/// discrete p-values).
///
/// **Floor and verdict.** Detected when p ≤ α = 0.05 (α is this coarse because of the rank
/// test's resolution), G ≥ 0.2 normalised (the block is at least a fifth of the unrelated-to-
/// identical range more alike internally than to the clean image: clearly visible as a bright
/// block) and a threshold exists.
///
/// **Interval.** A seeded percentile bootstrap (95%) of the threshold over noise seeds, and over
/// images then seeds when several images are given; none with a single seed of a single image.
public enum CollapseDetector {
    /// Thresholds and bootstrap settings.
    public struct Configuration: Sendable, Equatable {
        /// Significance level.
        public var alpha: Double = 0.05
        /// Minimum normalised collapse gap G.
        public var gapFloor: Double = 0.2
        /// Fraction of the (distinct) levels forming the collapsed block (at least two levels).
        public var blockFraction: Double = 0.25
        /// Bootstrap resamples for the interval.
        public var bootstrapResamples: Int = 1000
        /// Seed of the bootstrap.
        public var seed: UInt64 = 0xC011_A95E
        /// The defaults documented on each property.
        public init() {}
    }

    static let nullModel = "no collapse: the clean image is exchangeable with the top-level variants (rank of its mean similarity to the block); Fisher over images"

    /// Runs the detector on the sweeps of one or more images (same preset). `unit` names the
    /// preset's level unit (e.g. `sigma`).
    ///
    /// - Throws: `AnalysisError.invalidInput` when no sweep is given or images with different
    ///   level sets are pooled.
    public static func detect(images: [CollapseSweep], unit: String, baseline: UnrelatedBaseline,
                              configuration: Configuration = Configuration()) throws(AnalysisError) -> CollapseResult {
        guard let first = images.first else {
            throw AnalysisError(.invalidInput, "no sweeps to analyse", location: "collapse images")
        }
        let prepared = images.map { Prepared($0, baseline: baseline, configuration: configuration) }
        let referenceLevels = prepared[0].levels
        for (index, image) in prepared.enumerated() where image.levels != referenceLevels {
            throw AnalysisError(.invalidInput,
                                "image \(images[index].name ?? String(index)) has different sweep levels from \(first.name ?? "the first image"); pool only sweeps of the same preset",
                                location: "levels")
        }
        var perImage: [CollapseImageResult] = []
        for (index, image) in prepared.enumerated() {
            perImage.append(image.result(index: index, name: images[index].name, unit: unit, baseline: baseline,
                                         configuration: configuration, extraWarnings: images[index].warnings))
        }
        if prepared.count == 1 {
            var finding = perImage[0].finding
            finding.component = nil
            return CollapseResult(finding: finding, components: [], perImage: perImage, pooledCurve: perImage[0].curve)
        }
        // Pooled over images.
        let unitWeights = prepared.map { [Int](repeating: 1, count: $0.seedCount) }
        let pooledIndex = averageIndex(prepared, weights: unitWeights)
        let threshold = crossing(pooledIndex, levels: referenceLevels)
        let pValue = Statistics.fisherCombined(perImage.compactMap { $0.finding.pValue })
        let gap = Statistics.mean(perImage.map { $0.finding.effect })
        var random = SeededRandom(seed: configuration.seed)
        var estimates: [Double] = []
        for _ in 0..<max(1, configuration.bootstrapResamples) {
            var chosen: [Prepared] = []
            var weights: [[Int]] = []
            for _ in 0..<prepared.count {
                let image = prepared[random.nextIndex(below: prepared.count)]
                chosen.append(image)
                weights.append(resampleWeights(seedCount: image.seedCount, random: &random))
            }
            estimates.append(crossing(averageIndex(chosen, weights: weights), levels: referenceLevels) ?? .infinity)
        }
        var warnings: [AnalysisWarning] = []
        let ci = interval(estimates, levels: referenceLevels, warnings: &warnings)
        let pooledCurve = averageCurve(perImage.map(\.curve), index: pooledIndex)
        let finding = Finding(
            detector: .collapseThreshold, component: nil,
            detected: pValue <= configuration.alpha && gap >= configuration.gapFloor && threshold != nil,
            score: gap, effect: gap, pValue: pValue, ci: ci, ciLevel: 0.95, value: threshold, unit: unit,
            statistic: "mean over \(prepared.count) images of the collapse gap G (normalised); value = level where the image-averaged collapse index crosses zero",
            thresholds: Thresholds(alpha: configuration.alpha, comparisons: 1, effectFloor: configuration.gapFloor,
                                   pValueResolution: nil),
            nullModel: nullModel, baseline: baseline.reference,
            warnings: warnings + images.flatMap(\.warnings))
        return CollapseResult(finding: finding, components: perImage.map(\.finding), perImage: perImage,
                              pooledCurve: pooledCurve)
    }

    /// A weight (multiplicity) per seed for one bootstrap resample of the seeds.
    static func resampleWeights(seedCount: Int, random: inout SeededRandom) -> [Int] {
        var weights = [Int](repeating: 0, count: seedCount)
        for _ in 0..<seedCount { weights[random.nextIndex(below: seedCount)] += 1 }
        return weights
    }

    /// The collapse index averaged over images (each image with its own seed weights).
    static func averageIndex(_ images: [Prepared], weights: [[Int]]) -> [Double] {
        guard let count = images.first?.levels.count else { return [] }
        var sum = [Double](repeating: 0, count: count)
        for (image, w) in zip(images, weights) {
            let index = image.collapseIndex(seedWeights: w)
            for k in 0..<count { sum[k] += index[k] }
        }
        return sum.map { $0 / Double(images.count) }
    }

    /// Where `index` last crosses zero from below, interpolated in level units (nil if the last
    /// level's index is not positive).
    static func crossing(_ index: [Double], levels: [Double]) -> Double? {
        guard let last = index.last, last > 0 else { return nil }
        var k = index.count - 1
        while k > 0 && index[k - 1] > 0 { k -= 1 }
        if k == 0 { return levels[0] }
        let below = index[k - 1], above = index[k]
        let fraction = (0 - below) / (above - below)
        return levels[k - 1] + (levels[k] - levels[k - 1]) * fraction
    }

    /// The 95% percentile interval of bootstrap thresholds (∞ = no crossing in that resample; an
    /// infinite bound is reported as the sweep's last level, with a warning). Nil when even the
    /// lower bound is beyond the sweep.
    static func interval(_ estimates: [Double], levels: [Double], warnings: inout [AnalysisWarning]) -> [Double]? {
        let sorted = estimates.sorted()
        guard !sorted.isEmpty else { return nil }
        /// `Statistics.quantile`, or ∞ when it would interpolate towards a resample without a crossing.
        func percentile(_ q: Double) -> Double {
            let lower = Int((q * Double(sorted.count - 1)).rounded(.down)), upper = min(lower + 1, sorted.count - 1)
            guard sorted[lower].isFinite, sorted[upper].isFinite else { return .infinity }
            return Statistics.quantile(sorted: sorted, q)
        }
        let missing = sorted.filter { !$0.isFinite }.count
        if missing > 0 {
            warnings.append(AnalysisWarning(
                code: "collapse-not-always-reached",
                message: "\(missing) of \(sorted.count) bootstrap resamples show no collapse within the sweep; an interval bound beyond the sweep is reported as its last level"))
        }
        let low = percentile(0.025), high = percentile(0.975)
        guard low.isFinite else { return nil }
        return [low, high.isFinite ? high : (levels.last ?? low)]
    }

    /// The curves of several images averaged level by level, with `index` as the collapse index.
    static func averageCurve(_ curves: [CollapseCurve], index: [Double]) -> CollapseCurve {
        let count = curves[0].levels.count
        func average(_ path: KeyPath<CollapseCurve, [Double]>) -> [Double] {
            (0..<count).map { k in curves.reduce(0) { $0 + $1[keyPath: path][k] } / Double(curves.count) }
        }
        return CollapseCurve(levels: curves[0].levels, similarityToClean: average(\.similarityToClean),
                             similarityToCleanNormalized: average(\.similarityToCleanNormalized),
                             similarityToBlock: average(\.similarityToBlock), collapseIndex: index)
    }

    /// One image's sweep in normalised units, indexed by level and seed.
    struct Prepared {
        /// Distinct levels, ascending.
        let levels: [Double]
        /// Number of distinct seeds.
        let seedCount: Int
        /// Level index and seed index of each variant.
        let levelOf: [Int]
        let seedOf: [Int]
        /// Variants in the collapsed block.
        let block: [Int]
        /// Normalised similarity to the clean image, per variant.
        let clean: [Double]
        /// Raw similarity to the clean image, per variant.
        let rawClean: [Double]
        /// Normalised similarity of every variant to each block variant: toBlock[v][b].
        let toBlock: [[Double]]
        /// Per variant and seed: the sum of its normalised similarities to the block variants of
        /// that seed (itself excluded) and how many there are, so a seed resample costs O(n·seeds).
        let blockSumBySeed: [[Double]]
        let blockCountBySeed: [[Double]]

        init(_ sweep: CollapseSweep, baseline: UnrelatedBaseline, configuration: Configuration) {
            levels = Array(Set(sweep.levels)).sorted()
            let seedList = Array(Set(sweep.seeds)).sorted()
            seedCount = seedList.count
            var levelPosition: [Double: Int] = [:]
            for (k, level) in levels.enumerated() { levelPosition[level] = k }
            var seedPosition: [Int: Int] = [:]
            for (k, seed) in seedList.enumerated() { seedPosition[seed] = k }
            levelOf = sweep.levels.map { levelPosition[$0] ?? 0 }
            seedOf = sweep.seeds.map { seedPosition[$0] ?? 0 }
            let blockLevels = max(2, Int((Double(levels.count) * configuration.blockFraction).rounded(.up)))
            let firstBlockLevel = levels.count - min(blockLevels, levels.count)
            let levelOfLocal = levelOf
            block = (0..<sweep.levels.count).filter { levelOfLocal[$0] >= firstBlockLevel }
            clean = sweep.similarityToClean.map { baseline.normalize($0) }
            rawClean = sweep.similarityToClean
            let s = sweep.similarities
            let blockLocal = block
            let similaritiesToBlock = (0..<sweep.levels.count).map { v in
                blockLocal.map { b in baseline.normalize(0.5 * (Double(s[v, b]) + Double(s[b, v]))) }
            }
            toBlock = similaritiesToBlock
            var sums = [[Double]](repeating: [Double](repeating: 0, count: seedCount), count: sweep.levels.count)
            var counts = sums
            let seedOfLocal = seedOf
            for v in 0..<sweep.levels.count {
                for (position, b) in blockLocal.enumerated() where b != v {
                    sums[v][seedOfLocal[b]] += similaritiesToBlock[v][position]
                    counts[v][seedOfLocal[b]] += 1
                }
            }
            blockSumBySeed = sums
            blockCountBySeed = counts
        }

        /// The collapse index per level with `seedWeights[seed]` copies of each seed.
        func collapseIndex(seedWeights: [Int]) -> [Double] {
            let (_, toClean, toBlockCurve) = curves(seedWeights: seedWeights)
            return zip(toBlockCurve, toClean).map { $0 - $1 }
        }

        /// Per level: weight, mean normalised similarity to clean, mean normalised similarity to the block.
        func curves(seedWeights: [Int]) -> (weights: [Double], toClean: [Double], toBlock: [Double]) {
            let count = levels.count
            var weight = [Double](repeating: 0, count: count)
            var cleanSum = [Double](repeating: 0, count: count)
            var blockSum = [Double](repeating: 0, count: count)
            for v in 0..<levelOf.count {
                let w = Double(seedWeights[seedOf[v]])
                guard w > 0 else { continue }
                var sum = 0.0, total = 0.0
                for seed in 0..<seedCount where seedWeights[seed] > 0 {
                    let ws = Double(seedWeights[seed])
                    sum += ws * blockSumBySeed[v][seed]
                    total += ws * blockCountBySeed[v][seed]
                }
                guard total > 0 else { continue }
                let k = levelOf[v]
                weight[k] += w
                cleanSum[k] += w * clean[v]
                blockSum[k] += w * sum / total
            }
            // A level with no weight (its seeds all left out) takes its neighbour's value.
            var toClean = [Double](repeating: 0, count: count)
            var toBlockCurve = [Double](repeating: 0, count: count)
            for k in 0..<count where weight[k] > 0 {
                toClean[k] = cleanSum[k] / weight[k]
                toBlockCurve[k] = blockSum[k] / weight[k]
            }
            for k in 0..<count where weight[k] == 0 {
                if let source = nearestWeighted(k, weight: weight) {
                    toClean[k] = toClean[source]
                    toBlockCurve[k] = toBlockCurve[source]
                }
            }
            return (weight, toClean, toBlockCurve)
        }

        /// The nearest level index to `k` that has weight (nil if none has).
        private func nearestWeighted(_ k: Int, weight: [Double]) -> Int? {
            for distance in 1..<max(2, weight.count) {
                if k - distance >= 0 && weight[k - distance] > 0 { return k - distance }
                if k + distance < weight.count && weight[k + distance] > 0 { return k + distance }
            }
            return nil
        }

        /// The observed finding and curves.
        func result(index: Int, name: String?, unit: String, baseline: UnrelatedBaseline, configuration: Configuration,
                    extraWarnings: [AnalysisWarning]) -> CollapseImageResult {
            let ones = [Int](repeating: 1, count: seedCount)
            let (_, toClean, toBlockCurve) = curves(seedWeights: ones)
            let collapse = zip(toBlockCurve, toClean).map { $0 - $1 }
            let threshold = crossing(collapse, levels: levels)
            // Block coherence and its similarity to the clean image.
            var coherenceSum = 0.0, coherencePairs = 0.0
            var scores: [Double] = []
            for (position, v) in block.enumerated() {
                var own = 0.0, count = 0.0
                for (other, _) in block.enumerated() where other != position {
                    own += toBlock[v][other]
                    count += 1
                }
                coherenceSum += own
                coherencePairs += count
                scores.append(count > 0 ? own / count : 0)
            }
            let coherence = coherencePairs > 0 ? coherenceSum / coherencePairs : 0
            let cleanScore = Statistics.mean(block.map { clean[$0] })
            let gap = coherence - cleanScore
            let atMost = scores.filter { $0 <= cleanScore }.count
            let p = Double(1 + atMost) / Double(1 + block.count)
            let resolution = 1 / Double(1 + block.count)
            var warnings = extraWarnings
            if resolution > configuration.alpha {
                warnings.append(AnalysisWarning(
                    code: "coarse-null",
                    message: "the collapsed block has only \(block.count) variants, so p cannot go below \(resolution) > α = \(configuration.alpha); use more levels or seeds"))
            }
            var ci: [Double]? = nil
            if seedCount >= 2 {
                var random = SeededRandom(seed: configuration.seed &+ UInt64(index))
                var estimates: [Double] = []
                for _ in 0..<max(1, configuration.bootstrapResamples) {
                    let w = CollapseDetector.resampleWeights(seedCount: seedCount, random: &random)
                    estimates.append(crossing(collapseIndex(seedWeights: w), levels: levels) ?? .infinity)
                }
                ci = CollapseDetector.interval(estimates, levels: levels, warnings: &warnings)
            } else {
                warnings.append(AnalysisWarning(code: "single-seed",
                                                message: "one seed of one image: no confidence interval for the threshold; run noise sweeps with several seeds (--seeds), or several images"))
            }
            let finding = Finding(
                detector: .collapseThreshold, component: "per_image",
                detected: p <= configuration.alpha && gap >= configuration.gapFloor && threshold != nil,
                score: gap, effect: gap, pValue: p, ci: ci, ciLevel: ci == nil ? nil : 0.95, value: threshold, unit: unit,
                statistic: "collapse gap G = block coherence − block similarity to the clean image (normalised); value = level where the collapse index last crosses zero",
                thresholds: Thresholds(alpha: configuration.alpha, comparisons: 1, effectFloor: configuration.gapFloor,
                                       pValueResolution: resolution),
                nullModel: CollapseDetector.nullModel, baseline: baseline.reference, image: name, warnings: warnings)
            let rawCurve = levels.indices.map { k -> Double in
                let members = (0..<levelOf.count).filter { levelOf[$0] == k }
                return Statistics.mean(members.map { rawClean[$0] })
            }
            return CollapseImageResult(
                finding: finding,
                curve: CollapseCurve(levels: levels, similarityToClean: rawCurve, similarityToCleanNormalized: toClean,
                                     similarityToBlock: toBlockCurve, collapseIndex: collapse),
                blockCoherence: coherence, blockToClean: cleanScore)
        }
    }
}
