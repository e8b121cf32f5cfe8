import Analysis

/// One plain sentence per finding, for readers who do not know the detectors.
///
/// The sentence says what was seen, how strong it is in normalised units (0 = like an unrelated
/// image, 1 = identical), the floor the verdict needed and the p-value; for rotation findings it
/// also says what the artefact controls concluded, in the same sentence.
public enum FindingExplanation {
    /// The sentence for `finding`.
    public static func sentence(for finding: Finding) -> String {
        let body: String
        switch finding.detector {
        case .flipExplicit: body = flip(finding)
        case .antidiagonal: body = antidiagonal(finding)
        case .periodicity90: body = periodicity(finding)
        case .collapseThreshold: body = collapse(finding)
        case .crossmodal: body = crossmodal(finding)
        }
        let clause = control(finding)
        guard !clause.isEmpty, body.hasSuffix(".") else { return body }
        return String(body.dropLast()) + clause + "."
    }

    /// "0.123" for effects and scores.
    static func amount(_ x: Double) -> String { SVGFormat.number(x, digits: 3) }

    /// "p = 0.004" or "no p-value".
    static func evidence(_ finding: Finding) -> String {
        guard let p = finding.pValue else { return "no p-value: the null could not be evaluated" }
        let text = p < 0.001 ? "p < 0.001" : "p = \(SVGFormat.number(p, digits: 3))"
        return "\(text), needs ≤ \(SVGFormat.number(finding.thresholds.alpha, digits: 4))"
    }

    /// "σ = 0.31 [0.28, 0.35] sigma" style value with unit and interval.
    static func level(_ finding: Finding) -> String? {
        guard let value = finding.value else { return nil }
        var text = SVGFormat.label(value)
        if let ci = finding.ci, ci.count == 2 {
            text += " (95% interval \(SVGFormat.label(ci[0]))–\(SVGFormat.label(ci[1])))"
        }
        if let unit = finding.unit, !unit.isEmpty { text += " " + unit }
        return text
    }

    static func axisName(_ finding: Finding) -> String {
        switch finding.component {
        case "horizontal": return "its left–right mirror"
        case "vertical": return "its top–bottom mirror"
        default: return "a mirror image"
        }
    }

    static func flip(_ finding: Finding) -> String {
        let floor = amount(finding.thresholds.effectFloor)
        if finding.detected {
            return "The model sees \(axisName(finding)) as nearly the same picture: mirror similarity \(amount(finding.effect)) of the way from unrelated to identical (floor \(floor); \(evidence(finding)))."
        }
        return "The model tells the picture from \(axisName(finding)): mirror similarity \(amount(finding.effect)) of the way from unrelated to identical, below the \(floor) that invariance needs (\(evidence(finding)))."
    }

    static func antidiagonal(_ finding: Finding) -> String {
        let floor = amount(finding.thresholds.effectFloor)
        let axis = finding.component == "axis_180" ? "θ and 180° − θ" : "+θ and −θ"
        if finding.detected {
            return "Rotations by \(axis) look alike to the model (a bright anti-diagonal): \(amount(finding.effect)) above what the same angle difference gives elsewhere (floor \(floor); \(evidence(finding)))."
        }
        return "No bright anti-diagonal: rotations by \(axis) are no more alike than other pairs at the same angle difference (excess \(amount(finding.effect)), floor \(floor); \(evidence(finding)))."
    }

    static func periodicity(_ finding: Finding) -> String {
        let floor = amount(finding.thresholds.effectFloor)
        if finding.detected {
            return "The similarity repeats every 90° of rotation (the checkerboard): a four-fold swing of \(amount(finding.effect)) (floor \(floor); \(evidence(finding)))."
        }
        return "No 90° checkerboard: the four-fold component is \(amount(finding.effect)) (floor \(floor); \(evidence(finding)))."
    }

    static func collapse(_ finding: Finding) -> String {
        let floor = amount(finding.thresholds.effectFloor)
        if finding.detected, let level = level(finding) {
            return "From \(level) on, the variants look more like each other than like the clean image (collapse gap \(amount(finding.effect)), floor \(floor); \(evidence(finding)))."
        }
        return "The variants do not collapse onto each other within the sweep (collapse gap \(amount(finding.effect)), needs \(floor); \(evidence(finding)))."
    }

    static func crossmodal(_ finding: Finding) -> String {
        if finding.detected, let level = level(finding) {
            return "The model stops matching the caption from \(level) on: there it no longer ranks the caption above the distractor prompts (recognised at \(amount(finding.score * 100))% of the variants)."
        }
        if finding.score >= 1 {
            return "The model matches the caption at every variant of the sweep (ranked above the distractor prompts throughout)."
        }
        return "The readout is not broken by the sweep: the caption is not recognised even on the clean image, or it is recognised throughout (recognised at \(amount(finding.score * 100))% of the variants)."
    }

    static func control(_ finding: Finding) -> String {
        guard let control = finding.control else { return "" }
        switch control.verdict {
        case .survives:
            return ", and it survives the artefact controls (the flat grey mask does not show it)"
        case .maskShowsPattern:
            return ", but the flat grey mask control shows the same pattern, so it comes from the rotation's black corners, not from the picture"
        case .notReproducedWithCircularMask:
            return ", but the circular-mask sweep does not reproduce it, so it comes from the rotation's black corners, not from the picture"
        case .notApplicable:
            return ""
        }
    }
}
