import Foundation
import Testing
import AugLabTestSupport
@testable import Sweeps

/// numpy's linspace/geomspace outputs (scripts/reference/sweeps_parameter_values.py).
struct NumpyParameterCases: Decodable {
    struct Case: Decodable {
        var kind: String
        var start: UInt64
        var stop: UInt64
        var count: Int
        var endpoint: Bool
        var values: [UInt64]

        var startValue: Double { Double(bitPattern: start) }
        var stopValue: Double { Double(bitPattern: stop) }
        var expected: [Double] { values.map(Double.init(bitPattern:)) }

        var generator: ValueGenerator {
            kind == "linspace"
                ? .linspace(start: startValue, stop: stopValue, count: count, endpoint: endpoint)
                : .geomspace(start: startValue, stop: stopValue, count: count, endpoint: endpoint)
        }
    }

    var cases: [Case]

    static func load() throws -> NumpyParameterCases {
        let url = Fixtures.package("Tests/SweepsTests/References/parameter_values.json")
        return try JSONDecoder().decode(NumpyParameterCases.self, from: Data(contentsOf: url))
    }
}

@Suite struct ParameterValueTests {
    /// Values as numbers (every generated value is a number).
    func numbers(_ generator: ValueGenerator) throws -> [Double] {
        try generator.values().map { try #require($0.number) }
    }

    @Test func linspaceMatchesNumpyWithinFourUlpsOfTheLargerBound() throws {
        let cases = try NumpyParameterCases.load().cases.filter { $0.kind == "linspace" }
        #expect(cases.count >= 10)
        for item in cases {
            let values = try numbers(item.generator)
            #expect(values.count == item.count)
            let tolerance = 4 * max(abs(item.startValue), abs(item.stopValue)).ulp
            for (value, expected) in zip(values, item.expected) {
                #expect(abs(value - expected) <= tolerance, "linspace(\(item.startValue), \(item.stopValue), \(item.count))")
            }
            #expect(values.first == item.startValue && values.first == item.expected.first)
            if item.endpoint && item.count > 1 { #expect(values.last == item.stopValue) }
        }
    }

    @Test func geomspaceMatchesNumpyToRelativeTenUlps() throws {
        let cases = try NumpyParameterCases.load().cases.filter { $0.kind == "geomspace" }
        #expect(cases.count >= 5)
        for item in cases {
            let values = try numbers(item.generator)
            #expect(values.count == item.count)
            for (value, expected) in zip(values, item.expected) {
                #expect(abs(value - expected) <= 10 * expected.ulp.magnitude, "geomspace(\(item.startValue), \(item.stopValue))")
            }
            #expect(values.first == item.startValue)
            if item.endpoint && item.count > 1 { #expect(values.last == item.stopValue) }
        }
    }

    @Test func linspaceEndpointsAndShortDecimals() throws {
        // Without the endpoint the stop is excluded and the step is (stop − start)/count.
        let open = try numbers(.linspace(start: 0, stop: 1, count: 100, endpoint: false))
        #expect(open == (0..<100).map { Double($0) / 100 })
        let closed = try numbers(.linspace(start: 0, stop: 1, count: 100, endpoint: true))
        #expect(closed.first == 0 && closed.last == 1)
        #expect(closed == (0..<100).map { Double($0) / 99 })
        // Symmetric bounds give the short decimals, and exact zero in the middle (not −0).
        let shift = try numbers(.linspace(start: -0.5, stop: 0.5, count: 21, endpoint: true))
        #expect(shift == (0..<21).map { Double($0 - 10) / 20 })
        #expect(shift[10].sign == .plus)
        #expect(try numbers(.linspace(start: 2, stop: 3, count: 1, endpoint: true)) == [2])
    }

    @Test func geomspaceHasAConstantRatio() throws {
        let values = try numbers(.geomspace(start: 0.5, stop: 2, count: 21, endpoint: true))
        for i in 1..<values.count {
            #expect(abs(values[i] / values[i - 1] - pow(4, 1.0 / 20)) < 1e-12)
        }
        #expect(abs(values[10] - 1) < 1e-15)
    }

    @Test func explicitListsKeepOrderAndKind() throws {
        let list: [ParameterValue] = [.number(3), .number(1), .name("flip_both")]
        #expect(try ValueGenerator.list(list).values() == list)
    }

    @Test(arguments: [
        ValueGenerator.list([]),
        .linspace(start: 0, stop: 1, count: 0, endpoint: true),
        .linspace(start: 0, stop: .infinity, count: 3, endpoint: true),
        .linspace(start: 0, stop: 1, count: ValueGenerator.maximumCount + 1, endpoint: true),
        .geomspace(start: 0, stop: 1, count: 3, endpoint: true),
        .geomspace(start: -1, stop: 1, count: 3, endpoint: true),
    ])
    func invalidGeneratorsThrow(_ generator: ValueGenerator) {
        #expect(throws: SweepError.self) { try generator.values() }
    }

    @Test func valuesEncodeAsBareNumbersAndNames() throws {
        let data = try JSONEncoder().encode([ParameterValue.of(-0.0), .number(3.6), .name("identity")])
        #expect(String(decoding: data, as: UTF8.self) == #"[0,3.6,"identity"]"#)
        #expect(try JSONDecoder().decode([ParameterValue].self, from: data) == [.number(0), .number(3.6), .name("identity")])
    }
}
