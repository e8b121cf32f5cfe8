import Imaging

/// An 8-bit RGB colour.
public struct RGBColor: Sendable, Equatable, Hashable, Codable, CustomStringConvertible {
    /// Red, 0...255.
    public var red: UInt8
    /// Green, 0...255.
    public var green: UInt8
    /// Blue, 0...255.
    public var blue: UInt8

    /// A colour from its three channels (0...255 each).
    public init(red: UInt8, green: UInt8, blue: UInt8) {
        self.red = red
        self.green = green
        self.blue = blue
    }

    /// `#rrggbb`, lowercase: the form SVG, CSS and HTML accept.
    public var hex: String { "#" + Hex.string([red, green, blue]) }

    public var description: String { hex }
}

/// A 256-entry colour lookup table, exactly matplotlib's, with matplotlib's value → colour rule.
///
/// `color(forNormalized:)` follows matplotlib's `Colormap.__call__` on floats: entry
/// `floor(x × 256)` for x in [0, 1) and the last entry for x = 1; values below 0 take the first
/// entry and values above 1 the last (matplotlib's default under/over colours); NaN takes
/// `nanColor` (matplotlib's default "bad" colour is transparent, which a PNG heatmap cannot
/// show, so a mid grey that none of the maps contains is used instead). Bytes are the table's
/// float entries × 255, truncated, as matplotlib's `cmap(x, bytes=True)`.
public struct Colormap: Sendable, Equatable {
    /// matplotlib's name, e.g. `viridis`, `RdBu_r`.
    public let name: String
    /// The 256 colours, from the low end (index 0) to the high end (index 255).
    public let entries: [RGBColor]
    /// The colour of NaN values.
    public var nanColor: RGBColor

    /// The number of entries (256 for the built-in maps).
    public var count: Int { entries.count }

    /// The default colour of NaN values: mid grey (#808080), which none of the maps contains.
    public static let defaultNaNColor = RGBColor(red: 128, green: 128, blue: 128)

    /// A map from matplotlib float RGB triples (each in [0, 1]); at least one entry.
    init(name: String, floatTable: [Double], nanColor: RGBColor = Colormap.defaultNaNColor) {
        precondition(floatTable.count >= 3 && floatTable.count % 3 == 0, "colormap table of \(floatTable.count) floats")
        self.name = name
        self.nanColor = nanColor
        entries = stride(from: 0, to: floatTable.count, by: 3).map { i in
            RGBColor(red: Self.byte(floatTable[i]), green: Self.byte(floatTable[i + 1]), blue: Self.byte(floatTable[i + 2]))
        }
    }

    /// matplotlib's `(lut * 255).astype(uint8)` for one channel (inputs are in [0, 1]).
    static func byte(_ channel: Double) -> UInt8 {
        UInt8(max(0, min(255, (channel * 255).rounded(.towardZero))))
    }

    /// Perceptually uniform, dark purple → yellow: the default for similarity heatmaps.
    public static let viridis = Colormap(name: "viridis", floatTable: ColormapTables.viridis)
    /// Perceptually uniform, dark blue → yellow.
    public static let plasma = Colormap(name: "plasma", floatTable: ColormapTables.plasma)
    /// Perceptually uniform, black → light yellow.
    public static let magma = Colormap(name: "magma", floatTable: ColormapTables.magma)
    /// Diverging blue → white → red (matplotlib `RdBu_r`): the map for difference matrices,
    /// where 0 sits at the centre of a symmetric range (negative blue, positive red).
    public static let rdBuReversed = Colormap(name: "RdBu_r", floatTable: ColormapTables.rdBuReversed)

    /// Every built-in map, sequential ones first.
    public static let all: [Colormap] = [viridis, plasma, magma, rdBuReversed]

    /// The built-in map of that matplotlib name (`viridis`, `plasma`, `magma`, `RdBu_r`), if any.
    public static func named(_ name: String) -> Colormap? {
        all.first { $0.name == name }
    }

    /// The table index matplotlib picks for a normalised value x (nil for NaN).
    ///
    /// `floor(x × N)` clamped to `0...N−1`; x = 1 gives N − 1, ±infinity the ends.
    public func index(forNormalized x: Double) -> Int? {
        if x.isNaN { return nil }
        let n = Double(count)
        let scaled = x * n
        if scaled >= n { return count - 1 }
        if scaled < 0 { return 0 }
        return Int(scaled.rounded(.down))
    }

    /// The colour of a normalised value x (0 = low end, 1 = high end; see the type's rules).
    public func color(forNormalized x: Double) -> RGBColor {
        guard let i = index(forNormalized: x) else { return nanColor }
        return entries[i]
    }

    /// The colour of `value` on `scale` (matplotlib's `Normalize(vmin, vmax)` then the map).
    public func color(for value: Double, scale: ColorScale) -> RGBColor {
        color(forNormalized: scale.normalized(value))
    }
}
