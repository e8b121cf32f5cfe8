import Foundation

/// The allow-list of a PyTorch checkpoint pickle: the few globals `torch.save` uses to rebuild
/// tensors and ordered dicts, interpreted here as data transformations, and the persistent ids
/// that name storages in the ZIP archive.
///
/// Allowed calls: `collections.OrderedDict`, `torch._utils._rebuild_tensor_v2` /
/// `_rebuild_tensor` / `_rebuild_parameter` / `_rebuild_parameter_with_state`,
/// `torch._tensor._rebuild_from_type_v2` (for `torch.Tensor` and `torch.nn.Parameter`),
/// `torch.device`, `torch.Size` and `_codecs.encode` (how protocol 2 pickles bytes). Storage
/// classes (`torch.FloatStorage`, `HalfStorage`, `BFloat16Storage`, `DoubleStorage`,
/// `LongStorage`, `IntStorage`, `ShortStorage`, `CharStorage`, `ByteStorage`, `BoolStorage`) are
/// only read as type names inside persistent ids. Every other call is recorded inertly.
struct TorchPickleHooks: PickleHooks {
    let archive: ZipArchive
    /// The archive's top folder, e.g. `archive` (entries are `<prefix>/data.pkl`, `<prefix>/data/<key>`).
    let prefix: String
    private var storageIndex: [String: Int] = [:]

    init(archive: ZipArchive, prefix: String) {
        self.archive = archive
        self.prefix = prefix
    }

    static let plainRebuildFunctions: Set<String> = [
        "torch._utils._rebuild_tensor_v2", "torch._utils._rebuild_tensor",
        "torch._utils._rebuild_parameter", "torch._utils._rebuild_parameter_with_state",
    ]

    static let storageTypes: [String: TensorDType] = [
        "FloatStorage": .float32, "HalfStorage": .float16, "BFloat16Storage": .bfloat16, "DoubleStorage": .float64,
        "LongStorage": .int64, "IntStorage": .int32, "ShortStorage": .int16, "CharStorage": .int8,
        "ByteStorage": .uint8, "BoolStorage": .bool,
    ]

    private func fail(_ message: String) -> CLIPError {
        CLIPError(.invalidInput, message, path: archive.file.path, location: "\(prefix)/data.pkl")
    }

    mutating func call(_ callable: PickleGlobal, arguments: [PickleValue], heap: inout PickleHeap) throws(CLIPError) -> PickleValue? {
        switch callable.description {
        case "collections.OrderedDict":
            return orderedDict(arguments, heap: &heap)
        case "torch._utils._rebuild_tensor_v2", "torch._utils._rebuild_tensor":
            return try rebuildTensor(arguments, heap: &heap, function: callable.description)
        case "torch._utils._rebuild_parameter", "torch._utils._rebuild_parameter_with_state":
            guard let data = arguments.first, case .tensor = data else {
                throw fail("\(callable) needs a tensor as its first argument")
            }
            return data
        case "torch._tensor._rebuild_from_type_v2":
            // (function, type, arguments, state): only the plain rebuild functions, never itself (no recursion).
            guard arguments.count >= 3, case .global(let function) = arguments[0], case .global(let type) = arguments[1],
                  Self.plainRebuildFunctions.contains(function.description),
                  ["torch.Tensor", "torch._tensor.Tensor", "torch.nn.parameter.Parameter"].contains(type.description),
                  let inner = heap.tupleItems(arguments[2]) else { return nil }
            return try call(function, arguments: inner, heap: &heap)
        case "torch.device":
            if case .string(let name)? = arguments.first { return .string(name) }
            return nil
        case "torch.Size":
            if let first = arguments.first, case .tuple = first { return first }
            return nil
        case "_codecs.encode":
            guard arguments.count == 2, case .string(let text) = arguments[0], case .string(let encoding) = arguments[1],
                  ["latin1", "latin-1", "iso-8859-1"].contains(encoding.lowercased()) else { return nil }
            var bytes: [UInt8] = []
            for scalar in text.unicodeScalars {
                guard scalar.value < 256 else { return nil }
                bytes.append(UInt8(scalar.value))
            }
            return .bytes(bytes)
        default:
            return nil
        }
    }

    private func orderedDict(_ arguments: [PickleValue], heap: inout PickleHeap) -> PickleValue? {
        if arguments.isEmpty { return heap.newDict() }
        // OrderedDict([(key, value), ...])
        guard arguments.count == 1, case .list(let list) = arguments[0] else { return nil }
        var dict = PickleDict()
        for item in heap.lists[list] {
            guard let pair = heap.tupleItems(item), pair.count == 2 else { return nil }
            dict.set(pair[0], pair[1])
        }
        return heap.newDict(dict)
    }

    /// `_rebuild_tensor_v2(storage, storage_offset, size, stride, requires_grad, backward_hooks[, metadata])`.
    private func rebuildTensor(_ arguments: [PickleValue], heap: inout PickleHeap, function: String) throws(CLIPError) -> PickleValue {
        guard arguments.count >= 4, case .storage(let storageIndex) = arguments[0], case .int(let offset) = arguments[1],
              let sizeItems = heap.tupleItems(arguments[2]), let strideItems = heap.tupleItems(arguments[3]) else {
            throw fail("\(function) needs (storage, offset, size tuple, stride tuple)")
        }
        var shape: [Int] = []
        var strides: [Int] = []
        for item in sizeItems {
            guard case .int(let size) = item else { throw fail("\(function): a size is \(heap.describe(item)), not an integer") }
            shape.append(size)
        }
        for item in strideItems {
            guard case .int(let stride) = item else { throw fail("\(function): a stride is \(heap.describe(item)), not an integer") }
            strides.append(stride)
        }
        let storage = heap.storages[storageIndex]
        let problem = Self.viewProblem(offset: offset, shape: shape, strides: strides, storageCount: storage.count)
        heap.tensors.append(TorchTensor(storage: storageIndex, offset: offset, shape: shape, strides: strides,
                                        problem: problem ?? storage.problem))
        return .tensor(heap.tensors.count - 1)
    }

    /// Why a strided view cannot be read from a storage of `storageCount` elements, or nil if it can.
    ///
    /// Refused: negative sizes, strides or offsets; arithmetic overflow; an element outside the
    /// storage; and views with more elements than the storage (overlapping strides, as `expand`
    /// makes), which could otherwise turn a few stored bytes into an arbitrarily large allocation.
    static func viewProblem(offset: Int, shape: [Int], strides: [Int], storageCount: Int) -> String? {
        guard shape.count == strides.count else {
            return "size \(shape) and stride \(strides) have different lengths"
        }
        guard offset >= 0, shape.allSatisfy({ $0 >= 0 }), strides.allSatisfy({ $0 >= 0 }) else {
            return "negative offset, size or stride (offset \(offset), size \(shape), stride \(strides))"
        }
        guard let count = TensorShape.elementCount(shape) else { return "size \(shape) is too large" }
        if count == 0 { return nil }
        var last = offset
        for (size, stride) in zip(shape, strides) {
            let (extent, overflow1) = (size - 1).multipliedReportingOverflow(by: stride)
            let (sum, overflow2) = last.addingReportingOverflow(extent)
            guard !overflow1, !overflow2 else { return "size \(shape) with stride \(strides) overflows" }
            last = sum
        }
        guard last < storageCount else {
            return "view (offset \(offset), size \(shape), stride \(strides)) reaches element \(last), past the end of its \(storageCount)-element storage"
        }
        guard count <= storageCount else {
            return "view has \(count) elements but its storage only \(storageCount): overlapping strides (an expanded view) are not supported"
        }
        return nil
    }

    /// `('storage', <storage class>, key, location, element count)` → the storage `<prefix>/data/<key>`.
    mutating func persistentLoad(_ id: PickleValue, heap: inout PickleHeap) throws(CLIPError) -> PickleValue {
        guard let items = heap.tupleItems(id), items.count >= 5, case .string("storage") = items[0] else {
            throw fail("unsupported persistent id \(heap.describe(id)); expected ('storage', type, key, location, size)")
        }
        guard case .global(let type) = items[1], case .string(let key) = items[2], case .int(let count) = items[4] else {
            throw fail("malformed storage persistent id")
        }
        let cacheKey = "\(key)\u{0}\(type)"
        if let existing = storageIndex[cacheKey] { return .storage(existing) }
        var storage = TorchStorage(key: key, typeName: type.description, dtype: nil, count: max(count, 0))
        storage.problem = resolve(&storage, type: type, count: count)
        heap.storages.append(storage)
        storageIndex[cacheKey] = heap.storages.count - 1
        return .storage(heap.storages.count - 1)
    }

    private func resolve(_ storage: inout TorchStorage, type: PickleGlobal, count: Int) -> String? {
        guard type.module == "torch", let dtype = Self.storageTypes[type.name] else {
            return "storage type \(type) is not supported (float32/16/64, bfloat16 and integer storages are)"
        }
        storage.dtype = dtype
        guard count >= 0 else { return "storage '\(storage.key)' has a negative size \(count)" }
        let name = "\(prefix)/data/\(storage.key)"
        guard let entry = archive.entry(name) else { return "storage '\(storage.key)' is missing from the archive (\(name))" }
        guard entry.method == 0, entry.flags & 1 == 0 else {
            return "storage '\(storage.key)' is compressed or encrypted in the archive"
        }
        let (bytes, overflow) = count.multipliedReportingOverflow(by: dtype.byteWidth)
        guard !overflow, bytes <= entry.size else {
            return "storage '\(storage.key)' should hold \(count) × \(dtype.byteWidth) bytes but its archive entry has \(entry.size)"
        }
        storage.byteRange = entry.dataRange.lowerBound..<(entry.dataRange.lowerBound + bytes)
        return nil
    }
}
