import Foundation

/// A PyTorch checkpoint in the ZIP format `torch.save` has written since PyTorch 1.6, memory-mapped,
/// read without running any Python.
///
/// Supported: a plain state dict (`torch.save(model.state_dict())`), training checkpoints that hold
/// it under `state_dict` (CyCLIP, CLOOB and open_clip save `{"epoch", "name", "state_dict",
/// "optimizer", ...}`; also `model`, `model_state_dict`, `module`), nested dicts (flattened with
/// dots), and TorchScript archives such as OpenAI's `RN50.pt` (the tensors are read from the module
/// attributes in `data.pkl`). Tensors may be float32/16/64, bfloat16 or integer, strided views and
/// views sharing a storage; overlapping views (from `expand`) are refused when read. The pickle is
/// run by a restricted machine (`PickleMachine` + `TorchPickleHooks`): only an allow-list of
/// tensor-rebuilding globals is interpreted, anything else is recorded inertly and never executed.
/// Key names are reported as stored (e.g. with a `module.` prefix); `LayoutAdapter` renames them.
///
/// Refused with a clear error: the legacy pre-1.6 format, pickles of other protocols or with
/// unsupported opcodes, compressed or encrypted entries, and archives whose offsets do not fit the file.
public struct PyTorchCheckpoint: WeightSource {
    /// Largest `data.pkl` accepted (bytes); real checkpoints need well under 10 MB.
    public static let maximumPickleBytes = 64 << 20

    /// The file as mapped.
    public let file: MappedFile
    /// The archive's top folder (PyTorch names it after the file, e.g. `epoch_32`).
    public let archivePrefix: String
    /// Whether this is a TorchScript archive (`torch.jit.save`) rather than `torch.save`.
    public let isTorchScript: Bool
    /// Where the tensors were found: `state_dict`, `(top level)`, or `(TorchScript module attributes)`.
    public let stateDictLocation: String
    /// Top-level scalar entries of a training checkpoint (`epoch`, `name`, `model_config_file`, ...) as text.
    public let metadata: [String: String]
    /// State-dict entries that are not tensors (e.g. objects of non-allow-listed classes), with the reason.
    public let skippedEntries: [String: String]
    /// Qualified names of the non-allow-listed callables the pickle referred to (recorded, never executed).
    public let inertCallables: [String]
    private let tensors: [String: TorchTensor]
    private let storages: [TorchStorage]

    /// Opens `path` and reads its pickle.
    ///
    /// - Throws: `CLIPError` naming the file and what is wrong with it.
    public init(path: String) throws(CLIPError) {
        try self.init(file: MappedFile(path: path))
    }

    /// Reads an already mapped file.
    public init(file: MappedFile) throws(CLIPError) {
        self.file = file
        if let legacy = CheckpointFormat.legacyTorchDescription(file) {
            throw CLIPError(.invalidInput, legacy, path: file.path)
        }
        let archive = try ZipArchive(file: file)
        guard let first = archive.entries.first, let slash = first.name.firstIndex(of: "/") else {
            throw CLIPError(.invalidInput, "ZIP archive is not a PyTorch checkpoint: no <folder>/data.pkl", path: file.path)
        }
        let prefix = String(first.name[..<slash])
        guard let pickleEntry = archive.entry("\(prefix)/data.pkl") else {
            throw CLIPError(.invalidInput, "ZIP archive is not a PyTorch checkpoint: it has no \(prefix)/data.pkl", path: file.path)
        }
        guard pickleEntry.size <= Self.maximumPickleBytes else {
            throw CLIPError(.invalidInput, "\(prefix)/data.pkl is \(pickleEntry.size) bytes, more than the \(Self.maximumPickleBytes)-byte limit",
                            path: file.path)
        }
        guard try archive.checksumMatches(pickleEntry) else {
            throw CLIPError(.invalidInput, "\(prefix)/data.pkl fails its CRC-32 check; the file is corrupt", path: file.path,
                            location: "\(prefix)/data.pkl")
        }
        if let byteorder = archive.entry("\(prefix)/byteorder") {
            let order = try archive.withData(of: byteorder) { raw in String(decoding: raw.prefix(16), as: UTF8.self) }
            guard order == "little" else {
                throw CLIPError(.invalidInput, "checkpoint byte order is '\(order)'; only little-endian checkpoints are supported",
                                path: file.path, location: "\(prefix)/byteorder")
            }
        }
        let torchScript = archive.entry("\(prefix)/constants.pkl") != nil
            || archive.entries.contains { $0.name.hasPrefix("\(prefix)/code/") }
        var hooks = TorchPickleHooks(archive: archive, prefix: prefix)
        let (root, heap, inert) = try archive.withData(of: pickleEntry) { raw throws(CLIPError) in
            var machine = PickleMachine(data: raw, path: file.path, location: "\(prefix)/data.pkl")
            let root = try machine.run(hooks: &hooks)
            return (root, machine.heap, machine.inertCallables)
        }
        let found = try StateDictFinder(heap: heap, path: file.path).find(root: root, torchScript: torchScript)
        archivePrefix = prefix
        isTorchScript = torchScript
        stateDictLocation = found.location
        metadata = found.metadata
        skippedEntries = found.skipped
        inertCallables = inert.sorted()
        tensors = found.tensors.mapValues { heap.tensors[$0] }
        storages = heap.storages
    }

    /// Every tensor of the state dict, sorted.
    public var names: [String] { tensors.keys.sorted() }

    /// The checkpoint file.
    public var sourcePath: String? { file.path }

    /// Shape and type of `name` (nil if absent or its storage has no known dtype).
    public func info(_ name: String) -> TensorInfo? {
        guard let tensor = tensors[name], let dtype = storages[tensor.storage].dtype else { return nil }
        return TensorInfo(name: name, dtype: dtype, shape: tensor.shape)
    }

    /// Why the tensor `name` cannot be read (bad view, missing or unsupported storage), or nil if it can.
    public func problem(_ name: String) -> String? {
        guard let tensor = tensors[name] else { return nil }
        return tensor.problem ?? storages[tensor.storage].problem
    }

    /// The values of `name` as float32, row-major (any strided view of its storage).
    public func floats(_ name: String) throws(CLIPError) -> [Float] {
        try elements(name, kind: "floating point") { raw, dtype, view in ElementConversion.floats(raw, dtype: dtype, view: view) }
    }

    /// The values of an integer or boolean tensor as `Int`, row-major.
    ///
    /// - Throws: `CLIPError` naming the file and key when it is missing, unreadable or floating point.
    public func integers(_ name: String) throws(CLIPError) -> [Int] {
        try elements(name, kind: "integer") { raw, dtype, view in ElementConversion.integers(raw, dtype: dtype, view: view) }
    }

    /// The elements of tensor `name` as `convert` reads them from its storage's bytes, or an error
    /// when `convert` returns nil (the dtype is not of the `kind` asked for).
    private func elements<Element>(
        _ name: String, kind: String, _ convert: (UnsafeRawBufferPointer, TensorDType, StridedView) -> [Element]?
    ) throws(CLIPError) -> [Element] {
        let (tensor, storage, range, dtype) = try readable(name)
        let view = StridedView(offset: tensor.offset, shape: tensor.shape, strides: tensor.strides)
        guard let result = file.withBytes(in: range, { raw in convert(raw, dtype, view) }) else {
            throw CLIPError(.invalidInput, "tensor '\(name)' has dtype \(dtype.rawValue) (\(storage.typeName)), not \(kind)",
                            path: file.path, location: name)
        }
        return result
    }

    private func readable(_ name: String) throws(CLIPError) -> (TorchTensor, TorchStorage, Range<Int>, TensorDType) {
        guard let tensor = tensors[name] else {
            if let reason = skippedEntries[name] {
                throw CLIPError(.invalidInput, "checkpoint entry '\(name)' is not a tensor: \(reason)", path: file.path, location: name)
            }
            throw CLIPError(.invalidInput, "checkpoint has no tensor '\(name)'", path: file.path, location: name)
        }
        let storage = storages[tensor.storage]
        if let problem = tensor.problem ?? storage.problem {
            throw CLIPError(.invalidInput, "tensor '\(name)' cannot be read: \(problem)", path: file.path, location: name)
        }
        guard let range = storage.byteRange, let dtype = storage.dtype else {
            throw CLIPError(.invalidInput, "tensor '\(name)' has no readable storage", path: file.path, location: name)
        }
        return (tensor, storage, range, dtype)
    }
}

/// Finds the tensors of a model in a checkpoint's unpickled object graph.
struct StateDictFinder {
    let heap: PickleHeap
    let path: String

    /// Keys under which training scripts keep the model's state dict, in the order they are tried.
    static let stateDictKeys = ["state_dict", "model_state_dict", "model", "module", "net", "weights"]
    static let maximumDepth = 64

    struct Result {
        var location: String
        var tensors: [String: Int]
        var skipped: [String: String]
        var metadata: [String: String]
    }

    func find(root: PickleValue, torchScript: Bool) throws(CLIPError) -> Result {
        if torchScript { return try findModuleTensors(root) }
        guard let rootDict = heap.dictEntries(root) else {
            throw CLIPError(.invalidInput, "checkpoint holds \(heap.describe(root)), not a dict of tensors", path: path)
        }
        var metadata: [String: String] = [:]
        for (key, value) in rootDict.entries {
            guard case .string(let name) = key else { continue }
            switch value {
            case .string(let s): metadata[name] = s
            case .int(let i): metadata[name] = String(i)
            case .float(let f): metadata[name] = String(f)
            case .bool(let b): metadata[name] = b ? "true" : "false"
            default: break
            }
        }
        for key in Self.stateDictKeys {
            if let value = rootDict.value(forKey: key), let dict = heap.dictEntries(value) {
                var result = flatten(dict)
                if !result.tensors.isEmpty {
                    result.location = key
                    result.metadata = metadata
                    return result
                }
            }
        }
        var result = flatten(rootDict)
        guard !result.tensors.isEmpty else {
            let keys = rootDict.keys.prefix(12).map { heap.describe($0) }.joined(separator: ", ")
            throw CLIPError(.invalidInput, "checkpoint holds no tensors: its top-level dict has the keys \(keys)", path: path)
        }
        result.location = "(top level)"
        result.metadata = metadata
        return result
    }

    /// Flattens a dict of tensors (nested dicts joined with dots); other values are skipped with a reason.
    private func flatten(_ dict: PickleDict) -> Result {
        var result = Result(location: "", tensors: [:], skipped: [:], metadata: [:])
        var pending: [(prefix: String, dict: PickleDict, depth: Int)] = [("", dict, 0)]
        var visited = Set<PickleValue.IdentityKey>()
        while let (prefix, current, depth) = pending.popLast() {
            for (key, value) in current.entries {
                let name: String
                switch key {
                case .string(let s): name = prefix + s
                case .int(let i): name = prefix + String(i)
                default:
                    result.skipped[prefix + "<\(heap.describe(key))>"] = "the key is not a string"
                    continue
                }
                if case .tensor(let index) = value {
                    if result.tensors[name] == nil { result.tensors[name] = index } else { result.skipped[name + " (duplicate)"] = "a second tensor with the same flattened name" }
                } else if let nested = heap.dictEntries(value), let identity = value.identityKey,
                          depth < Self.maximumDepth, !visited.contains(identity) {
                    visited.insert(identity)
                    pending.append((name + ".", nested, depth + 1))
                } else {
                    result.skipped[name] = heap.describe(value)
                }
            }
        }
        return result
    }

    /// TorchScript: tensors are attributes of nested `__torch__` module objects; keys are attribute paths.
    private func findModuleTensors(_ root: PickleValue) throws(CLIPError) -> Result {
        guard case .inert(let rootIndex) = root else {
            throw CLIPError(.invalidInput, "TorchScript archive holds \(heap.describe(root)), not a module", path: path)
        }
        var result = Result(location: "(TorchScript module attributes)", tensors: [:], skipped: [:], metadata: [:])
        var pending: [(prefix: String, object: Int, depth: Int)] = [("", rootIndex, 0)]
        var visited: Set<Int> = [rootIndex]
        while let (prefix, index, depth) = pending.popLast() {
            guard let state = heap.inerts[index].state, let attributes = heap.dictEntries(state) else { continue }
            for (key, value) in attributes.entries {
                guard case .string(let name) = key else { continue }
                switch value {
                case .tensor(let tensor):
                    result.tensors[prefix + name] = tensor
                case .inert(let child) where heap.inerts[child].callable.hasPrefix("__torch__."):
                    if depth < Self.maximumDepth, !visited.contains(child) {
                        visited.insert(child)
                        pending.append((prefix + name + ".", child, depth + 1))
                    }
                default:
                    break  // flags such as `training`, None, constants
                }
            }
        }
        guard !result.tensors.isEmpty else {
            throw CLIPError(.invalidInput, "TorchScript archive holds no tensors in its module attributes", path: path)
        }
        return result
    }
}

extension PickleValue {
    /// Identity of a container (to detect cycles), nil for plain values.
    enum IdentityKey: Hashable { case dict(Int), inert(Int) }

    var identityKey: IdentityKey? {
        switch self {
        case .dict(let i): return .dict(i)
        case .inert(let i): return .inert(i)
        default: return nil
        }
    }
}
