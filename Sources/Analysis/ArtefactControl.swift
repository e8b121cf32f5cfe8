/// Decides whether a rotation finding survives its artefact controls.
///
/// A same-canvas rotation leaves black corners at every angle except multiples of 90°; the
/// corners alone can draw the checkerboard and the anti-diagonal. Two controls separate the
/// model's part from the geometry's: the **mask control** (a flat grey image through the same
/// sweep: only the geometry varies) and the **circular-mask sweep** of the same image (no
/// corners at all).
///
/// **Rule** (stated in `rule`, written into every `ControlCheck`): a detected component survives
/// when (1) the same detector on the mask control does not show the same component significantly
/// — judged on significance alone, p ≤ the component's α, **not** on the effect floor, because a
/// flat image gives an encoder far less to respond to — and (2) when the circular-mask sweep of
/// the same image was run (and the finding is not itself from it), that sweep's finding is
/// detected. A headline survives when at least one of its detected components survives.
public enum ArtefactControl {
    /// The rule in words, for summaries.
    public static let rule = "a detected rotation pattern is the geometry's when the flat-grey mask control shows the same component significantly (p ≤ the component's alpha; effect floor not applied, a flat image gives the encoder far less to respond to) or when the circular-mask sweep of the same image does not reproduce it; otherwise it survives"

    /// Returns `result`'s findings with `control` filled in.
    ///
    /// - Parameters:
    ///   - mask: the same detector's result on the mask control (nil if not run).
    ///   - circular: the same detector's result on the circular-mask sweep of the same image
    ///     (nil if not run, or if `result` is itself from the circular-mask sweep).
    public static func apply(to result: PeriodicityResult, mask: PeriodicityResult?, circular: PeriodicityResult?)
        -> PeriodicityResult {
        var copy = result
        (copy.finding, copy.components) = judge(headline: result.finding, components: result.components,
                                                mask: mask?.components, circular: circular?.finding)
        return copy
    }

    /// Returns `result`'s findings with `control` filled in (anti-diagonal version).
    public static func apply(to result: AntidiagonalResult, mask: AntidiagonalResult?, circular: AntidiagonalResult?)
        -> AntidiagonalResult {
        var copy = result
        (copy.finding, copy.components) = judge(headline: result.finding, components: result.components,
                                                mask: mask?.components, circular: circular?.finding)
        return copy
    }

    /// The rule on plain findings: components are matched to the mask's by `component` name.
    public static func judge(headline: Finding, components: [Finding], mask: [Finding]?, circular: Finding?)
        -> (headline: Finding, components: [Finding]) {
        let circularDetected = circular?.detected
        var judged: [Finding] = []
        for component in components {
            var copy = component
            let maskComponent = mask?.first { $0.component == component.component }
            let maskP = maskComponent?.pValue
            let maskShows: Bool? = mask == nil ? nil : (maskP.map { $0 <= component.thresholds.alpha } ?? false)
            let verdict: ControlCheck.Verdict
            if !component.detected {
                verdict = .notApplicable
            } else if maskShows == true {
                verdict = .maskShowsPattern
            } else if circularDetected == false {
                verdict = .notReproducedWithCircularMask
            } else {
                verdict = .survives
            }
            copy.control = ControlCheck(verdict: verdict, maskShowsPattern: maskShows, maskPValue: maskP,
                                        circularDetected: circularDetected, rule: rule)
            judged.append(copy)
        }
        var head = headline
        let detected = judged.filter(\.detected)
        let verdict: ControlCheck.Verdict
        if detected.isEmpty {
            verdict = .notApplicable
        } else if detected.contains(where: { $0.control?.verdict == .survives }) {
            verdict = .survives
        } else if detected.contains(where: { $0.control?.verdict == .maskShowsPattern }) {
            verdict = .maskShowsPattern
        } else {
            verdict = .notReproducedWithCircularMask
        }
        let anyMaskShows: Bool? = mask == nil ? nil : judged.contains { $0.control?.maskShowsPattern == true && $0.detected }
        let maskP = mask?.compactMap(\.pValue).min().map { min(1, $0 * Double(max(1, components.count))) }
        head.control = ControlCheck(verdict: verdict, maskShowsPattern: anyMaskShows, maskPValue: maskP,
                                    circularDetected: circularDetected, rule: rule)
        return (head, judged)
    }
}
