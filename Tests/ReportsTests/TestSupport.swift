import AugLabTestSupport
import Foundation
#if canImport(FoundationXML)
import FoundationXML
#endif
import Imaging
import Tensors
@testable import Reports

/// The colour lookups matplotlib gave (scripts/reference/reports_colormaps.py).
struct ColormapReferences: Decodable {
    struct Case: Decodable {
        var colormap: String
        var vmin: Double
        var vmax: Double
        var values: [String]
        var rgb: [[Int]]
    }
    struct MatrixCase: Decodable {
        var colormap: String
        var vmin: Double
        var vmax: Double
        var rgb: [[Int]]
    }
    struct MatrixReference: Decodable {
        var rows: Int
        var columns: Int
        var values: [String]
        var colormaps: [MatrixCase]
    }
    var cases: [Case]
    var matrix: MatrixReference

    static func load() throws -> ColormapReferences {
        let url = Fixtures.package("Tests/ReportsTests/References/colormap_lookups.json")
        return try JSONDecoder().decode(ColormapReferences.self, from: Data(contentsOf: url))
    }

    /// Python `repr(float)` text as a Double (exact round trip).
    static func number(_ text: String) throws -> Double {
        guard let value = Double(text) else { throw TestFailure("not a number: \(text)") }
        return value
    }

    static func colormap(_ swiftName: String) throws -> Colormap {
        switch swiftName {
        case "viridis": return .viridis
        case "plasma": return .plasma
        case "magma": return .magma
        case "rdBuReversed": return .rdBuReversed
        default: throw TestFailure("unknown colormap \(swiftName)")
        }
    }
}

struct TestFailure: Error, CustomStringConvertible {
    var description: String
    init(_ description: String) { self.description = description }
}

/// Parses XML with Foundation's XMLParser and collects what the tests look at.
final class XMLCheck: NSObject, XMLParserDelegate {
    var elements: [String] = []
    var texts: [String] = []
    var attributes: [[String: String]] = []
    private var current = ""
    var error: Error?

    static func parse(_ text: String) -> XMLCheck {
        let check = XMLCheck()
        let parser = XMLParser(data: Data(text.utf8))
        parser.delegate = check
        if !parser.parse() { check.error = parser.parserError ?? TestFailure("XMLParser failed") }
        return check
    }

    func parser(_ parser: XMLParser, didStartElement elementName: String, namespaceURI: String?, qualifiedName: String?,
                attributes attributeDict: [String: String] = [:]) {
        elements.append(elementName)
        attributes.append(attributeDict)
        current = ""
    }

    func parser(_ parser: XMLParser, foundCharacters string: String) { current += string }

    func parser(_ parser: XMLParser, didEndElement elementName: String, namespaceURI: String?, qualifiedName: String?) {
        if !current.isEmpty { texts.append(current) }
        current = ""
    }
}
