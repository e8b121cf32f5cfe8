import Foundation

/// One parameter value of a sweep: a number (an angle, σ, a quality…) or a name (a D4 element).
///
/// Encodes as a bare JSON number or string. Negative zero is stored as +0, so it prints as `0`.
public enum ParameterValue: Sendable, Hashable, Codable, CustomStringConvertible {
    /// A finite number in the operation's unit.
    case number(Double)
    /// A name from the operation's list of allowed names.
    case name(String)

    /// A number value; −0 becomes +0.
    public static func of(_ number: Double) -> ParameterValue { .number(number + 0) }

    /// The number, or nil for a name.
    public var number: Double? {
        if case .number(let value) = self { return value }
        return nil
    }

    /// The name, or nil for a number.
    public var name: String? {
        if case .name(let value) = self { return value }
        return nil
    }

    /// The number in Swift's shortest round-trip form (`3.6`, `100`, `1e-07`), or the name.
    public var description: String {
        switch self {
        case .number(let value):
            return value == value.rounded() && abs(value) < 1e15 ? String(Int64(value)) : "\(value)"
        case .name(let value):
            return value
        }
    }

    public init(from decoder: Decoder) throws {
        let container = try decoder.singleValueContainer()
        if let number = try? container.decode(Double.self) {
            self = .of(number)
        } else {
            self = .name(try container.decode(String.self))
        }
    }

    public func encode(to encoder: Encoder) throws {
        var container = encoder.singleValueContainer()
        switch self {
        case .number(let value): try container.encode(value)
        case .name(let value): try container.encode(value)
        }
    }
}

/// How a sweep's parameter values are given: an explicit list, or generated evenly on a linear
/// or logarithmic scale (numpy's `linspace` / `geomspace` semantics).
public enum ValueGenerator: Sendable, Hashable {
    /// The values as listed (numbers or names), in order.
    case list([ParameterValue])
    /// `count` values from `start` to `stop`, evenly spaced; `stop` itself is included only
    /// when `endpoint` is true.
    ///
    /// Value i is the weighted mean `(start·(d − i) + stop·i) / d` with d = count − 1
    /// (endpoint) or count, evaluated in Double in that order; the first value is exactly `start`
    /// and, with an endpoint, the last exactly `stop`. This is numpy.linspace's definition; numpy evaluates it as
    /// `i·((stop − start)/d) + start`, which can differ in the last bits. The form used here is
    /// correctly rounded whenever the two products and their sum are exact (integer or short
    /// binary bounds, the usual case), so values print as their short decimals: i/100 is
    /// exactly 0.03 (not 0.030000000000000002) and −0.5…0.5 in 21 steps gives exactly −0.15.
    /// count 1 gives `[start]`. Bounds are limited to |x| ≤ 10¹⁵ (`maximumMagnitude`).
    case linspace(start: Double, stop: Double, count: Int, endpoint: Bool)
    /// `count` values from `start` to `stop` in geometric progression (constant ratio); `stop`
    /// included only when `endpoint` is true. `start` and `stop` must be non-zero with the same
    /// sign.
    ///
    /// As numpy.geomspace: value i is `sign · 10^(l₀ + (l₁ − l₀)·i/d)` with l = log10(|·|) and d
    /// as for linspace (the exponent computed as in `linspace`), and the first value (and the
    /// last, with an endpoint) set exactly to `start` (`stop`).
    case geomspace(start: Double, stop: Double, count: Int, endpoint: Bool)

    /// Most values one generator may produce.
    public static let maximumCount = 10_000
    /// Largest magnitude of a linspace or geomspace bound (keeps the weighted sums finite).
    public static let maximumMagnitude = 1e15

    /// The number of values this generator produces.
    public var count: Int {
        switch self {
        case .list(let values): return values.count
        case .linspace(_, _, let count, _), .geomspace(_, _, let count, _): return count
        }
    }

    /// The values, in order.
    ///
    /// - Throws: `SweepError.invalidInput` (location `values`) for a count outside
    ///   1...`maximumCount`, a bound that is not finite or over `maximumMagnitude`, or geomspace
    ///   bounds that are zero or of opposite signs.
    public func values() throws(SweepError) -> [ParameterValue] {
        switch self {
        case .list(let values):
            guard !values.isEmpty else { throw Self.invalid("the list of values is empty") }
            guard values.count <= Self.maximumCount else {
                throw Self.invalid("\(values.count) values are more than the \(Self.maximumCount) a sweep axis may have")
            }
            return values
        case let .linspace(start, stop, count, endpoint):
            try Self.checkBounds(start, stop, count)
            return Self.linear(start, stop, count, endpoint).map(ParameterValue.of)
        case let .geomspace(start, stop, count, endpoint):
            try Self.checkBounds(start, stop, count)
            guard start != 0, stop != 0, (start < 0) == (stop < 0) else {
                throw Self.invalid("geomspace bounds must be non-zero and of the same sign, got \(start) and \(stop)")
            }
            return Self.geometric(start, stop, count, endpoint).map(ParameterValue.of)
        }
    }

    static func linear(_ start: Double, _ stop: Double, _ count: Int, _ endpoint: Bool) -> [Double] {
        if count == 1 { return [start] }
        let steps = endpoint ? count - 1 : count
        let divisor = Double(steps)
        var values = (0..<count).map { (start * Double(steps - $0) + stop * Double($0)) / divisor }
        values[0] = start
        if endpoint { values[count - 1] = stop }
        return values
    }

    static func geometric(_ start: Double, _ stop: Double, _ count: Int, _ endpoint: Bool) -> [Double] {
        let sign: Double = start < 0 ? -1 : 1
        let exponents = linear(log10(abs(start)), log10(abs(stop)), count, endpoint)
        var values = exponents.map { sign * pow(10, $0) }
        values[0] = start
        if endpoint, count > 1 { values[count - 1] = stop }
        return values
    }

    static func checkBounds(_ start: Double, _ stop: Double, _ count: Int) throws(SweepError) {
        guard (1...maximumCount).contains(count) else {
            throw invalid("count must be 1...\(maximumCount), got \(count)", field: "count")
        }
        guard start.isFinite, stop.isFinite, abs(start) <= maximumMagnitude, abs(stop) <= maximumMagnitude else {
            throw invalid("start and stop must be finite numbers of magnitude at most 1e15, got \(start) and \(stop)")
        }
    }

    static func invalid(_ message: String, field: String? = nil) -> SweepError {
        SweepError(.invalidInput, message, location: field.map { "values.\($0)" } ?? "values")
    }
}
