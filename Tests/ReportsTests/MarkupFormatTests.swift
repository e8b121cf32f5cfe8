import Testing
@testable import Reports

@Suite struct MarkupFormatTests {
    @Test func pValuesKeepTheirMagnitude() {
        #expect(SVGFormat.pValue(1.95e-06) == "1.95e-06")
        #expect(SVGFormat.pValue(0.0204) == "0.0204")
        #expect(SVGFormat.pValue(1) == "1")
        #expect(SVGFormat.pValue(0) == "0")
        #expect(SVGFormat.pValue(0.000999) == "0.000999")
    }
}
