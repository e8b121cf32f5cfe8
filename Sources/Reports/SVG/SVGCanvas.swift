/// A tiny SVG writer: elements appended as text, every user string escaped on the way in.
struct SVGCanvas {
    let width: Double
    let height: Double
    private(set) var body: [String] = []

    init(width: Double, height: Double) {
        self.width = width
        self.height = height
    }

    /// A standalone SVG document (parses as XML; also valid inline in HTML).
    func document(title: String, role: String = "img") -> String {
        let w = SVGFormat.coordinate(width), h = SVGFormat.coordinate(height)
        var text = "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"\(w)\" height=\"\(h)\" viewBox=\"0 0 \(w) \(h)\" "
        text += "role=\"\(role)\" font-family=\"sans-serif\" font-size=\"11\">\n"
        text += "<title>\(Markup.text(title))</title>\n"
        text += "<rect x=\"0\" y=\"0\" width=\"\(w)\" height=\"\(h)\" fill=\"#ffffff\"/>\n"
        text += body.joined(separator: "\n")
        text += "\n</svg>"
        return text
    }

    mutating func raw(_ element: String) { body.append(element) }

    mutating func line(_ x1: Double, _ y1: Double, _ x2: Double, _ y2: Double, stroke: String, width: Double = 1,
                       dash: String? = nil) {
        var text = "<line x1=\"\(c(x1))\" y1=\"\(c(y1))\" x2=\"\(c(x2))\" y2=\"\(c(y2))\" stroke=\"\(Markup.attribute(stroke))\" stroke-width=\"\(c(width))\""
        if let dash { text += " stroke-dasharray=\"\(Markup.attribute(dash))\"" }
        body.append(text + "/>")
    }

    mutating func rect(_ x: Double, _ y: Double, _ w: Double, _ h: Double, fill: String, opacity: Double? = nil,
                       stroke: String? = nil) {
        var text = "<rect x=\"\(c(x))\" y=\"\(c(y))\" width=\"\(c(max(0, w)))\" height=\"\(c(max(0, h)))\" fill=\"\(Markup.attribute(fill))\""
        if let opacity { text += " fill-opacity=\"\(SVGFormat.number(opacity, digits: 3))\"" }
        if let stroke { text += " stroke=\"\(Markup.attribute(stroke))\"" }
        body.append(text + "/>")
    }

    /// Text at (x, y); `anchor` start/middle/end; `rotate` degrees about (x, y).
    mutating func text(_ content: String, x: Double, y: Double, anchor: String = "start", size: Double? = nil,
                       rotate: Double? = nil, weight: String? = nil, fill: String = "#222222", className: String? = nil) {
        var attributes = "x=\"\(c(x))\" y=\"\(c(y))\" text-anchor=\"\(anchor)\" fill=\"\(Markup.attribute(fill))\""
        if let size { attributes += " font-size=\"\(SVGFormat.number(size, digits: 1))\"" }
        if let weight { attributes += " font-weight=\"\(weight)\"" }
        if let rotate { attributes += " transform=\"rotate(\(SVGFormat.number(rotate, digits: 1)) \(c(x)) \(c(y)))\"" }
        if let className { attributes += " class=\"\(Markup.attribute(className))\"" }
        body.append("<text \(attributes)>\(Markup.text(content))</text>")
    }

    /// A polyline through the points; a nil point breaks the line.
    mutating func polyline(_ points: [(Double, Double)?], stroke: String, width: Double = 1.5, dataName: String? = nil) {
        var runs: [[(Double, Double)]] = [[]]
        for point in points {
            if let point { runs[runs.count - 1].append(point) } else if !(runs.last?.isEmpty ?? true) { runs.append([]) }
        }
        for run in runs where !run.isEmpty {
            let coordinates = run.map { "\(c($0.0)),\(c($0.1))" }.joined(separator: " ")
            var text = "<polyline points=\"\(coordinates)\" fill=\"none\" stroke=\"\(Markup.attribute(stroke))\" stroke-width=\"\(c(width))\" stroke-linejoin=\"round\""
            if let dataName { text += " data-series=\"\(Markup.attribute(dataName))\"" }
            body.append(text + "/>")
        }
    }

    /// An embedded raster (a data URI), drawn without smoothing.
    mutating func image(dataURI: String, x: Double, y: Double, width w: Double, height h: Double, stretch: Bool = false) {
        var text = "<image x=\"\(c(x))\" y=\"\(c(y))\" width=\"\(c(w))\" height=\"\(c(h))\" href=\"\(Markup.attribute(dataURI))\""
        text += " image-rendering=\"optimizeSpeed\" style=\"image-rendering:pixelated\""
        if stretch { text += " preserveAspectRatio=\"none\"" }
        body.append(text + "/>")
    }

    private func c(_ x: Double) -> String { SVGFormat.coordinate(x) }
}

/// Tick positions for numeric axes.
enum Ticks {
    /// "Nice" ticks (steps of 1, 2, 2.5 or 5 × 10^k) covering [low, high], about `target` of them.
    static func nice(low: Double, high: Double, target: Int = 6) -> [Double] {
        guard low.isFinite, high.isFinite, high > low else { return low.isFinite ? [low] : [] }
        let raw = (high - low) / Double(max(1, target))
        let power = pow10(floorLog10(raw))
        let step = [1.0, 2, 2.5, 5, 10].map { $0 * power }.first { $0 >= raw } ?? 10 * power
        var ticks: [Double] = []
        let first = (low / step - 1e-9).rounded(.up)
        for k in 0..<100 {
            let value = (first + Double(k)) * step
            if value > high + step * 1e-9 { break }
            ticks.append(abs(value) < step * 1e-9 ? 0 : value)
        }
        return ticks
    }

    /// Indices of up to `target` evenly spaced cells of `count`, always including the first.
    static func indices(count: Int, target: Int = 8) -> [Int] {
        guard count > 0 else { return [] }
        if count <= target { return Array(0..<count) }
        let step = Int((Double(count) / Double(target)).rounded(.up))
        return Array(stride(from: 0, to: count, by: max(1, step)))
    }

    static func floorLog10(_ x: Double) -> Int {
        var exponent = 0
        var value = x
        while value >= 10 { value /= 10; exponent += 1 }
        while value < 1, value > 0, exponent > -300 { value *= 10; exponent -= 1 }
        return exponent
    }

    static func pow10(_ exponent: Int) -> Double {
        var result = 1.0
        if exponent >= 0 { for _ in 0..<exponent { result *= 10 } } else { for _ in 0..<(-exponent) { result /= 10 } }
        return result
    }
}
