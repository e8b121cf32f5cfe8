import Imaging
import Yams

/// Reads a preset's YAML text into a validated `SweepDefinition`.
///
/// Schema (every key not listed is an error, so a typo never passes silently):
///
/// ```yaml
/// description: One line saying what the sweep is.       # required, a single line
/// source: image            # optional: image (default) | mid-grey (the mask control)
/// square_crop: false       # optional: centre-crop the source to a square first (default false)
/// sweep:                   # required: the first (or only) axis
///   operation: rotate      # rotate | dihedral | gaussian_noise | uniform_noise | blur | shift |
///                          # jpeg | brightness | contrast | zoom
///   values: [0, 90, 180]   # a list, or {linspace: {start, stop, count, endpoint}},
///                          # or {geomspace: {start, stop, count, endpoint}} (endpoint default true)
///   interpolation: bilinear  # rotate, shift, zoom: nearest | bilinear | bicubic (default bilinear)
///   fill: black            # rotate, shift, zoom: black | white | grey | edge | reflect (default black)
///   crop: none             # rotate: none | circle (default none)
///   direction: horizontal  # shift: horizontal | vertical | diagonal (default horizontal)
///   sigma_unit: model_input_px  # blur, required: source_px | model_input_px
///   model_input_size: 224  # blur with model_input_px: the model's input side (default 224)
/// second_sweep: { ... }    # optional: a second axis; the variants are the product (row-major)
/// ```
///
/// Errors are `SweepError.invalidInput` naming the file, the field (`sweep.values[3]`), what
/// is wrong and what is allowed, with the line in the YAML file as the location.
enum PresetParser {
    /// The keys allowed at the top level.
    static let topLevelKeys = ["description", "source", "square_crop", "sweep", "second_sweep"]

    /// Parses `yaml`; `path` names the file in errors.
    static func definition(yaml: String, path: String) throws(SweepError) -> (description: String, definition: SweepDefinition) {
        let root = try Field.root(yaml: yaml, path: path)
        let mapping = try root.mapping(allowed: topLevelKeys)
        let description = try mapping.required("description").string()
        guard !description.trimmingCharacters(in: .whitespaces).isEmpty, !description.contains("\n") else {
            throw try mapping.required("description").error("must be a single non-empty line")
        }
        let source = try mapping.optional("source")?.choice(SourceKind.self) ?? .image
        let squareCrop = try mapping.optional("square_crop")?.bool() ?? false
        var axes = [try sweep(mapping.required("sweep"))]
        if let second = mapping.optional("second_sweep") { axes.append(try sweep(second)) }
        do {
            return (description, try SweepDefinition(axes: axes, squareCrop: squareCrop, source: source))
        } catch {
            throw SweepError(.invalidInput, error.message, path: path, location: error.location)
        }
    }

    /// One axis: `operation`, `values` and the operation's options.
    static func sweep(_ field: Field) throws(SweepError) -> Sweep {
        let operationName = try field.mapping(allowed: nil).required("operation").choice(among: SweepOperation.names)
        let options = optionKeys[operationName] ?? []
        let allowed = ["operation", "values"] + options
        let mapping = try field.mapping(allowed: allowed,
                                        hint: "\(allowed.joined(separator: ", ")) (for operation '\(operationName)')")
        let operation = try self.operation(operationName, mapping)
        let valuesField = try mapping.required("values")
        let generator = try self.generator(valuesField)
        do {
            return try Sweep(operation: operation, values: generator)
        } catch {
            // Point at the element of a list, or at the generator with the value's position.
            if case .list = generator, let location = error.location, location.hasPrefix("values[") {
                let index = Int(location.dropFirst("values[".count).dropLast()) ?? 0
                let element = valuesField.element(index)
                throw element.error(error.message)
            }
            if let location = error.location, location.hasPrefix("values[") {
                throw valuesField.error("\(error.message) (value \(location.dropFirst("values".count)) of the generated list)")
            }
            throw valuesField.error(error.message)
        }
    }

    /// The options each operation accepts besides `operation` and `values`.
    static let optionKeys: [String: [String]] = [
        "rotate": ["interpolation", "fill", "crop"],
        "shift": ["direction", "interpolation", "fill"],
        "zoom": ["interpolation", "fill"],
        "blur": ["sigma_unit", "model_input_size"],
    ]

    static func operation(_ name: String, _ mapping: Mapping) throws(SweepError) -> SweepOperation {
        let interpolation = try mapping.optional("interpolation")?.choice(Interpolation.self) ?? .bilinear
        let fill = try mapping.optional("fill")?.choice(FillChoice.self) ?? .black
        switch name {
        case "rotate":
            return .rotate(interpolation: interpolation, fill: fill,
                           crop: try mapping.optional("crop")?.choice(CropChoice.self) ?? CropChoice.none)
        case "dihedral": return .dihedral
        case "gaussian_noise": return .gaussianNoise
        case "uniform_noise": return .uniformNoise
        case "blur":
            let unit = try mapping.required("sigma_unit").choice(BlurSigmaUnit.self)
            var size = 224
            if let sizeField = mapping.optional("model_input_size") {
                guard unit == .modelInputPixels else {
                    throw sizeField.error("only applies with sigma_unit model_input_px")
                }
                size = try sizeField.integer()
                guard (1...65_536).contains(size) else {
                    throw sizeField.error("must be a whole number in 1...65536, got \(size)")
                }
            }
            return .blur(sigmaUnit: unit, modelInputSize: size)
        case "shift":
            return .shift(direction: try mapping.optional("direction")?.choice(ShiftDirection.self) ?? .horizontal,
                          interpolation: interpolation, fill: fill)
        case "jpeg": return .jpeg
        case "brightness": return .brightness
        case "contrast": return .contrast
        default: return .zoom(interpolation: interpolation, fill: fill)
        }
    }

    /// `values`: a list of numbers or names, or a one-key mapping `linspace:` / `geomspace:`.
    static func generator(_ field: Field) throws(SweepError) -> ValueGenerator {
        if case .sequence(let sequence) = field.node {
            var values: [ParameterValue] = []
            for index in sequence.indices {
                values.append(try field.element(index - sequence.startIndex).parameterValue())
            }
            guard !values.isEmpty else { throw field.error("the list of values is empty") }
            return .list(values)
        }
        guard case .mapping = field.node else {
            throw field.error("expected a list of values or a mapping with linspace or geomspace, got \(field.kindDescription)")
        }
        let mapping = try field.mapping(allowed: ["linspace", "geomspace"])
        guard mapping.keys.count == 1, let kind = mapping.keys.first else {
            throw field.error("give exactly one of linspace, geomspace")
        }
        let spec = try mapping.required(kind).mapping(allowed: ["start", "stop", "count", "endpoint"])
        let start = try spec.required("start").number()
        let stop = try spec.required("stop").number()
        let countField = try spec.required("count")
        let count = try countField.integer()
        guard (1...ValueGenerator.maximumCount).contains(count) else {
            throw countField.error("must be a whole number in 1...\(ValueGenerator.maximumCount), got \(count)")
        }
        let endpoint = try spec.optional("endpoint")?.bool() ?? true
        if kind == "geomspace", start == 0 || stop == 0 || (start < 0) != (stop < 0) {
            throw spec.field.error("geomspace start and stop must be non-zero with the same sign, got \(start) and \(stop)")
        }
        return kind == "linspace"
            ? .linspace(start: start, stop: stop, count: count, endpoint: endpoint)
            : .geomspace(start: start, stop: stop, count: count, endpoint: endpoint)
    }
}

// MARK: - Typed access to YAML nodes with the field path for errors

extension PresetParser {
    /// A YAML node with its dotted field path and file, for typed reads with precise errors.
    struct Field {
        let node: Node
        let path: String
        let file: String

        /// The document's root node.
        static func root(yaml: String, path file: String) throws(SweepError) -> Field {
            let node: Node?
            do {
                node = try Yams.compose(yaml: yaml)
            } catch let error as YamlError {
                throw SweepError(.invalidInput, "not valid YAML: \(Self.summary(of: error))", path: file)
            } catch {
                throw SweepError(.invalidInput, "not valid YAML: \(error)", path: file)
            }
            guard let node else {
                throw SweepError(.invalidInput, "the file is empty; a preset is a YAML mapping with description and sweep",
                                 path: file)
            }
            return Field(node: node, path: "", file: file)
        }

        /// One line for a YAML syntax error (Yams' own text spans several lines).
        static func summary(of error: YamlError) -> String {
            switch error {
            case let .scanner(context, problem, mark, _), let .parser(context, problem, mark, _),
                 let .composer(context, problem, mark, _):
                let prefix = context.map { "\($0.text) " } ?? ""
                return "\(prefix)\(problem) (line \(mark.line), column \(mark.column))"
            case let .duplicatedKeysInMapping(duplicates, context):
                return "duplicate key \(duplicates.sorted().map { "'\($0)'" }.joined(separator: ", ")) (line \(context.mark.line))"
            case let .reader(problem, _, _, _):
                return problem
            default:
                return String(describing: error).split(separator: "\n").first.map(String.init) ?? "unknown error"
            }
        }

        /// An error about this field: "field 'a.b': message", located at its line.
        func error(_ message: String) -> SweepError {
            let name = path.isEmpty ? "the document" : "field '\(path)'"
            return SweepError(.invalidInput, "\(name): \(message)", path: file,
                              location: node.mark.map { "line \($0.line)" })
        }

        /// The node's resolved YAML tag (str, int, float, bool, null, …).
        var tagName: Tag.Name { Tag.Name(rawValue: node.tag.rawValue) }

        /// "a mapping", "a list", or the scalar quoted.
        var kindDescription: String {
            switch node {
            case .mapping: return "a mapping"
            case .sequence: return "a list"
            case .scalar(let scalar): return "'\(scalar.string)'"
            case .alias: return "an alias"
            }
        }

        /// The field `key` below this one.
        func child(_ key: String, _ node: Node) -> Field {
            Field(node: node, path: path.isEmpty ? key : "\(path).\(key)", file: file)
        }

        /// Element `index` of a list.
        func element(_ index: Int) -> Field {
            guard case .sequence(let sequence) = node, index >= 0, index < sequence.count else { return self }
            return Field(node: sequence[sequence.index(sequence.startIndex, offsetBy: index)],
                         path: "\(path)[\(index)]", file: file)
        }

        /// This field as a mapping whose keys must all be in `allowed` (nil: any key).
        func mapping(allowed: [String]?, hint: String? = nil) throws(SweepError) -> Mapping {
            guard case .mapping(let mapping) = node else {
                throw error("expected a mapping (key: value lines), got \(kindDescription)")
            }
            var entries: [(String, Node)] = []
            for (key, value) in mapping {
                guard case .scalar(let scalar) = key else {
                    throw error("keys must be plain names")
                }
                let name = scalar.string
                if let allowed, !allowed.contains(name) {
                    let unknown = child(name, value)
                    throw SweepError(.invalidInput,
                                     "\(unknown.path.isEmpty ? "" : "field '\(unknown.path)': ")unknown key '\(name)'; allowed \(path.isEmpty ? "at the top level" : "in '\(path)'"): \(hint ?? allowed.joined(separator: ", "))",
                                     path: file, location: key.mark.map { "line \($0.line)" })
                }
                entries.append((name, value))
            }
            return Mapping(field: self, entries: entries)
        }

        /// This field as one of `choices`.
        func choice(among choices: [String]) throws(SweepError) -> String {
            guard case .scalar(let scalar) = node, choices.contains(scalar.string) else {
                throw error("\(kindDescription) is not one of \(choices.joined(separator: ", "))")
            }
            return scalar.string
        }

        /// This field as a case of a string enum (by raw value).
        func choice<Choice: RawRepresentable & CaseIterable>(_ type: Choice.Type) throws(SweepError) -> Choice
        where Choice.RawValue == String {
            let name = try choice(among: Choice.allCases.map(\.rawValue))
            guard let value = Choice(rawValue: name) else { throw error("unexpected value '\(name)'") }
            return value
        }

        /// This field as a string scalar.
        func string() throws(SweepError) -> String {
            guard case .scalar(let scalar) = node, tagName == .str else {
                throw error("expected text, got \(kindDescription)")
            }
            return scalar.string
        }

        /// This field as true or false.
        func bool() throws(SweepError) -> Bool {
            guard tagName == .bool, let value = node.bool else {
                throw error("expected true or false, got \(kindDescription)")
            }
            return value
        }

        /// This field as a finite number (an integer or a decimal).
        func number() throws(SweepError) -> Double {
            guard tagName == .int || tagName == .float,
                  let value = node.int.map(Double.init) ?? node.float else {
                throw error("expected a number, got \(kindDescription)")
            }
            guard value.isFinite else { throw error("expected a finite number, got \(kindDescription)") }
            return value
        }

        /// This field as a whole number.
        func integer() throws(SweepError) -> Int {
            let value = try number()
            guard value == value.rounded(), abs(value) < 1e15 else {
                throw error("expected a whole number, got \(kindDescription)")
            }
            return Int(value)
        }

        /// A list element: a number, or a name (any other scalar).
        func parameterValue() throws(SweepError) -> ParameterValue {
            guard case .scalar(let scalar) = node else {
                throw error("expected a number or a name, got \(kindDescription)")
            }
            if tagName == .int || tagName == .float { return .of(try number()) }
            return .name(scalar.string)
        }
    }

    /// A mapping's entries in file order, with typed lookups.
    struct Mapping {
        let field: Field
        let entries: [(String, Node)]

        /// The keys present, in file order.
        var keys: [String] { entries.map(\.0) }

        /// The field `key`, or nil when absent.
        func optional(_ key: String) -> Field? {
            entries.first { $0.0 == key }.map { field.child(key, $0.1) }
        }

        /// The field `key`; throws naming it when it is absent.
        func required(_ key: String) throws(SweepError) -> Field {
            guard let value = optional(key) else {
                let name = field.path.isEmpty ? key : "\(field.path).\(key)"
                throw SweepError(.invalidInput, "field '\(name)' is missing", path: field.file,
                                 location: field.node.mark.map { "line \($0.line)" })
            }
            return value
        }
    }
}
