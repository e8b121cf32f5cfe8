import Analysis

extension ReportCurve {
    /// The similarity-to-clean curve of a collapse analysis, with its threshold and interval.
    ///
    /// y is the normalised similarity `(s − s_unrelated) / (1 − s_unrelated)` (comparable across
    /// models); the threshold is the finding's `value` (sweep units) when it has one, with its
    /// `ci`. Use a `CollapseImageResult`'s curve and finding per image, or the `CollapseResult`'s
    /// `pooledCurve` and headline `finding` with `image: nil`.
    public static func similarityToClean(_ curve: CollapseCurve, finding: Finding, image: String?, sweep: String,
                                         model: String) -> ReportCurve {
        ReportCurve(kind: .similarityToClean, image: image, sweep: sweep, model: model, x: curve.levels,
                    y: curve.similarityToCleanNormalized, threshold: finding.value,
                    thresholdInterval: finding.value == nil ? nil : finding.ci)
    }

    /// The rotation profile D(d) of a periodicity analysis: mean cosine against the angular
    /// difference d·360°/N, d = 0..<N (raw cosine).
    public static func rotationProfile(_ result: PeriodicityResult, image: String?, sweep: String,
                                       model: String) -> ReportCurve {
        let n = result.differenceProfile.count
        let step = n > 0 ? 360 / Double(n) : 0
        return ReportCurve(kind: .rotationProfile, image: image, sweep: sweep, model: model,
                           x: (0..<n).map { Double($0) * step }, y: result.differenceProfile)
    }

    /// The anti-diagonal profile: for each mirror axis θi + θj ≡ const, the median excess cosine
    /// over that axis's pairs (raw cosine), against the angle sum in degrees.
    public static func antidiagonalProfile(_ result: AntidiagonalResult, image: String?, sweep: String,
                                           model: String) -> ReportCurve {
        let count = min(result.axisSumDegrees.count, result.axisProfile.count)
        return ReportCurve(kind: .antidiagonalProfile, image: image, sweep: sweep, model: model,
                           x: Array(result.axisSumDegrees.prefix(count)), y: Array(result.axisProfile.prefix(count)))
    }
}
