/// One sweep axis: an operation with its fixed options and the list of parameter values.
public struct Sweep: Sendable, Hashable {
    /// The operation and its fixed options.
    public var operation: SweepOperation
    /// How the values were given (kept for `presets show`).
    public var generator: ValueGenerator
    /// The parameter values in sweep order (expanded from `generator`, each one valid for
    /// `operation`).
    public let values: [ParameterValue]

    /// A sweep of `operation` over the values of `generator`.
    ///
    /// - Throws: `SweepError.invalidInput` (location `values` or `values[i]`) when the generator
    ///   is invalid or a value is not allowed for the operation.
    public init(operation: SweepOperation, values generator: ValueGenerator) throws(SweepError) {
        let values = try generator.values()
        for (index, value) in values.enumerated() {
            if let problem = operation.problem(with: value) {
                throw SweepError(.invalidInput, problem, location: "values[\(index)]")
            }
        }
        self.operation = operation
        self.generator = generator
        self.values = values
    }

    /// The number of values.
    public var count: Int { values.count }

    /// The parameter axis the analyzers see.
    public var axis: ParameterAxis {
        ParameterAxis(operation: operation.name, values: values, unit: operation.unit, kind: operation.axisKind)
    }
}

/// A sweep's parameter axis as the analyzers see it: the values, their unit and how to compare
/// them.
public struct ParameterAxis: Sendable, Hashable, Codable {
    /// How values on an axis relate to each other.
    public enum Kind: String, Sendable, Hashable, Codable {
        /// A rotation angle in degrees: circular, values wrap modulo 360 (see `period`).
        case rotationAngle = "rotation_angle"
        /// An ordered level (σ, α, quality, factor…): larger or smaller is meaningful, no wrap.
        case orderedLevel = "ordered_level"
        /// Unordered categories (D4 element names).
        case categorical
    }

    /// The operation's name (`rotate`, `gaussian_noise`, …).
    public var operation: String
    /// The values in sweep order.
    public var values: [ParameterValue]
    /// Their unit (`degrees`, `intensity`, …).
    public var unit: String
    /// How they relate.
    public var kind: Kind

    /// An axis.
    public init(operation: String, values: [ParameterValue], unit: String, kind: Kind) {
        self.operation = operation
        self.values = values
        self.unit = unit
        self.kind = kind
    }

    /// The period of a circular axis in its unit (360 for rotation angles), nil otherwise.
    public var period: Double? { kind == .rotationAngle ? 360 : nil }

    /// The values as numbers, or nil when any is a name (categorical axes).
    public var numbers: [Double]? {
        let numbers = values.compactMap(\.number)
        return numbers.count == values.count ? numbers : nil
    }
}

/// What the sweep is applied to.
public enum SourceKind: String, Sendable, Hashable, CaseIterable, Codable {
    /// The decoded source image (square-cropped first when the preset says so).
    case image
    /// The mask control: a flat mid-grey image (8-bit 128, 128, 128) of the size of the
    /// (square-cropped) source, so the geometry's own effect (black corners, the circular mask)
    /// can be told apart from the content's.
    case midGrey = "mid-grey"
}

/// A complete sweep definition: one axis or the product of two, what it applies to, and the
/// source preparation.
///
/// **2-D order.** With axes A (m values) and B (n values), variant `index = i·n + j` (row-major:
/// the second axis varies fastest) is `B(b_j)` applied to `A(a_i)` applied to the source, in
/// float, quantised once at the end (a JPEG axis quantises its input as it must).
public struct SweepDefinition: Sendable, Hashable {
    /// The axes: one, or two for a 2-D product (first = rows of the grid).
    public let axes: [Sweep]
    /// Centre-crop the source to its largest square before anything else.
    public var squareCrop: Bool
    /// The image the sweep is applied to.
    public var source: SourceKind

    /// Most variants a definition may produce.
    public static let maximumVariants = 100_000

    /// A definition of one or two axes.
    ///
    /// - Throws: `SweepError.invalidInput` for zero or more than two axes, or a product of more
    ///   than `maximumVariants` variants.
    public init(axes: [Sweep], squareCrop: Bool = false, source: SourceKind = .image) throws(SweepError) {
        guard (1...2).contains(axes.count) else {
            throw SweepError(.invalidInput, "a sweep has one or two axes, got \(axes.count)")
        }
        let total = axes.reduce(1) { $0 * $1.count }
        guard total <= Self.maximumVariants else {
            throw SweepError(.invalidInput, "the sweep has \(total) variants, more than the \(Self.maximumVariants) allowed")
        }
        self.axes = axes
        self.squareCrop = squareCrop
        self.source = source
    }

    /// The number of variants: the product of the axes' counts.
    public var count: Int { axes.reduce(1) { $0 * $1.count } }

    /// The position of variant `index` on each axis (row-major: the last axis varies fastest).
    public func coordinates(of index: Int) -> [Int] {
        var rest = index
        var coordinates = [Int](repeating: 0, count: axes.count)
        for axis in axes.indices.reversed() {
            coordinates[axis] = rest % axes[axis].count
            rest /= axes[axis].count
        }
        return coordinates
    }

    /// The parameter axes for the analyzers (in axis order).
    public var parameterAxes: [ParameterAxis] { axes.map(\.axis) }
}
