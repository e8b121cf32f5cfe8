import Foundation

/// A Python global (`module.name`) named by a pickle's GLOBAL or STACK_GLOBAL opcode.
///
/// Naming a global never imports or runs anything here: it is just two strings. Whether a call to
/// it is interpreted is up to the `PickleHooks` allow-list.
struct PickleGlobal: Hashable, Sendable, CustomStringConvertible {
    var module: String
    var name: String
    var description: String { "\(module).\(name)" }
}

/// A value on the pickle machine's stack or inside a container.
///
/// Containers and objects live in `PickleHeap` and are referred to by index, so values never nest:
/// building, walking and freeing them never recurses, whatever the input, and shared or cyclic
/// references (which pickles can express) are plain repeated indices.
enum PickleValue: Sendable, Equatable {
    case none
    case bool(Bool)
    case int(Int)
    /// An integer wider than 64 bits, kept as its little-endian two's-complement bytes in hex (inert).
    case bigInt(String)
    case float(Double)
    case string(String)
    case bytes([UInt8])
    case global(PickleGlobal)
    case list(Int)
    case tuple(Int)
    case dict(Int)
    case set(Int)
    /// A call or instance of something not on the allow-list: recorded, never executed.
    case inert(Int)
    case tensor(Int)
    case storage(Int)
}

/// A Python dict in insertion order; string, integer and boolean keys are looked up by hash.
struct PickleDict: Sendable {
    enum Key: Hashable, Sendable { case string(String), int(Int), bool(Bool) }

    private(set) var keys: [PickleValue] = []
    private(set) var values: [PickleValue] = []
    private var index: [Key: Int] = [:]

    var count: Int { keys.count }

    mutating func set(_ key: PickleValue, _ value: PickleValue) {
        let hashable: Key?
        switch key {
        case .string(let s): hashable = .string(s)
        case .int(let i): hashable = .int(i)
        case .bool(let b): hashable = .bool(b)
        default: hashable = nil
        }
        if let hashable, let existing = index[hashable] {
            values[existing] = value
            return
        }
        if let hashable { index[hashable] = keys.count }
        keys.append(key)
        values.append(value)
    }

    /// The value stored under the string `key`, or nil.
    func value(forKey key: String) -> PickleValue? {
        index[.string(key)].map { values[$0] }
    }

    /// The entries in insertion order.
    var entries: Zip2Sequence<[PickleValue], [PickleValue]> { zip(keys, values) }
}

/// An object the machine did not construct: a call to a global that is not on the allow-list (REDUCE),
/// or an instance created with NEWOBJ, with whatever state, items and entries the pickle gave it.
struct InertObject: Sendable {
    /// What was called or instantiated, e.g. `__torch__.open_clip.model.CLIP` or `os.system`.
    var callable: String
    var arguments: [PickleValue]
    /// The BUILD state, if any (a dict for TorchScript modules).
    var state: PickleValue?
    /// Items added with APPEND/APPENDS (list subclasses).
    var listItems: [PickleValue] = []
    /// Entries added with SETITEM/SETITEMS (dict subclasses).
    var dictItems = PickleDict()
}

/// A tensor rebuilt by `torch._utils._rebuild_tensor_v2` and friends: a strided view of a storage.
struct TorchTensor: Sendable {
    /// Index of the storage in `PickleHeap.storages`.
    var storage: Int
    /// Offset of the first element, in elements.
    var offset: Int
    var shape: [Int]
    /// Strides in elements.
    var strides: [Int]
    /// Why the view cannot be read (out of the storage's bounds, overlapping, ...), or nil if it can.
    var problem: String?
}

/// A storage named by a persistent id: `archive/data/<key>` of the checkpoint ZIP.
struct TorchStorage: Sendable {
    var key: String
    /// The storage class, e.g. `torch.HalfStorage`.
    var typeName: String
    var dtype: TensorDType?
    /// Length in elements, as the persistent id states it.
    var count: Int
    /// The bytes in the mapped file, when the entry exists and its size matches.
    var byteRange: Range<Int>?
    /// Why the storage cannot be read, or nil if it can.
    var problem: String?
}

/// Everything a pickle built, addressed by the indices in `PickleValue`.
struct PickleHeap: Sendable {
    var lists: [[PickleValue]] = []
    var tuples: [[PickleValue]] = []
    var sets: [[PickleValue]] = []
    var dicts: [PickleDict] = []
    var inerts: [InertObject] = []
    var tensors: [TorchTensor] = []
    var storages: [TorchStorage] = []

    /// Number of heap objects of every kind.
    var objectCount: Int {
        lists.count + tuples.count + sets.count + dicts.count + inerts.count + tensors.count + storages.count
    }

    mutating func newList(_ items: [PickleValue] = []) -> PickleValue { lists.append(items); return .list(lists.count - 1) }
    mutating func newTuple(_ items: [PickleValue]) -> PickleValue { tuples.append(items); return .tuple(tuples.count - 1) }
    mutating func newSet(_ items: [PickleValue] = []) -> PickleValue { sets.append(items); return .set(sets.count - 1) }
    mutating func newDict(_ dict: PickleDict = PickleDict()) -> PickleValue { dicts.append(dict); return .dict(dicts.count - 1) }
    mutating func newInert(_ object: InertObject) -> PickleValue { inerts.append(object); return .inert(inerts.count - 1) }

    /// The elements of a tuple value, or nil.
    func tupleItems(_ value: PickleValue) -> [PickleValue]? {
        if case .tuple(let i) = value { return tuples[i] }
        return nil
    }

    /// The entries of a dict, or of an inert dict subclass; nil for anything else.
    func dictEntries(_ value: PickleValue) -> PickleDict? {
        switch value {
        case .dict(let i): return dicts[i]
        case .inert(let i) where inerts[i].dictItems.count > 0: return inerts[i].dictItems
        default: return nil
        }
    }

    /// A short description for error messages and skipped-entry reasons.
    func describe(_ value: PickleValue) -> String {
        switch value {
        case .none: return "None"
        case .bool(let b): return b ? "True" : "False"
        case .int(let i): return "the integer \(i)"
        case .bigInt: return "a big integer"
        case .float(let f): return "the number \(f)"
        case .string(let s): return "the string \"\(s.prefix(40))\""
        case .bytes(let b): return "\(b.count) bytes"
        case .global(let g): return "the global \(g)"
        case .list(let i): return "a list of \(lists[i].count) items"
        case .tuple(let i): return "a tuple of \(tuples[i].count) items"
        case .set(let i): return "a set of \(sets[i].count) items"
        case .dict(let i): return "a dict of \(dicts[i].count) entries"
        case .inert(let i): return "an object made by \(inerts[i].callable) (not on the allow-list; not executed)"
        case .tensor: return "a tensor"
        case .storage: return "a storage"
        }
    }
}

/// What the machine asks its user: interpret allow-listed calls, and resolve persistent ids.
protocol PickleHooks {
    /// The result of calling `callable` with `arguments` (REDUCE), or nil to record the call inertly.
    mutating func call(_ callable: PickleGlobal, arguments: [PickleValue], heap: inout PickleHeap) throws(CLIPError) -> PickleValue?
    /// The object a persistent id (BINPERSID) stands for.
    mutating func persistentLoad(_ id: PickleValue, heap: inout PickleHeap) throws(CLIPError) -> PickleValue
}

/// A restricted pickle machine for the protocols 2 to 5 that `torch.save` writes.
///
/// It implements the opcodes those protocols use for plain data and object reconstruction and
/// refuses the rest (text-mode protocol 0 opcodes, INST/OBJ, extension registry, out-of-band
/// buffers) with an error naming the opcode and its offset. No Python callable is ever invoked:
/// REDUCE and NEWOBJ either go through `PickleHooks.call` (which interprets a fixed allow-list)
/// or produce an `InertObject` that records what would have been called. Lengths are checked
/// against the bytes left, and the number of objects, stack entries and memo entries is capped,
/// so memory stays proportional to the input.
struct PickleMachine {
    /// Most heap objects, stack entries or memo entries accepted (checkpoints use a few per tensor).
    static let maximumObjects = 1 << 21

    private let data: UnsafeRawBufferPointer
    private let path: String
    private let location: String
    private var position = 0
    private var opcodeStart = 0
    private var stack: [PickleValue] = []
    private var marks: [Int] = []
    private var memo: [Int: PickleValue] = [:]
    /// Everything built so far.
    private(set) var heap = PickleHeap()
    /// Globals called or instantiated without being on the allow-list, by qualified name.
    private(set) var inertCallables: Set<String> = []

    /// A machine reading `data`; `path` and `location` (e.g. `archive/data.pkl`) appear in error messages.
    init(data: UnsafeRawBufferPointer, path: String, location: String) {
        self.data = data
        self.path = path
        self.location = location
    }

    private func fail(_ message: String) -> CLIPError {
        CLIPError(.invalidInput, "pickle: \(message)", path: path, location: "\(location) offset \(opcodeStart)")
    }

    // MARK: Reading the byte stream

    private mutating func bytes(_ count: Int) throws(CLIPError) -> UnsafeRawBufferPointer {
        guard count >= 0, count <= data.count - position else {
            throw fail("needs \(count) bytes, only \(data.count - position) left; the pickle is truncated")
        }
        defer { position += count }
        return UnsafeRawBufferPointer(rebasing: data[position..<(position + count)])
    }

    private mutating func uint(_ width: Int) throws(CLIPError) -> UInt64 {
        let raw = try bytes(width)
        var value: UInt64 = 0
        for i in 0..<width { value |= UInt64(raw[i]) << (8 * UInt64(i)) }
        return value
    }

    private mutating func length(_ width: Int) throws(CLIPError) -> Int {
        let value = try uint(width)
        guard value <= UInt64(data.count - position) else {
            throw fail("a length of \(value) bytes runs past the end of the pickle (\(data.count - position) left)")
        }
        return Int(value)
    }

    private mutating func line() throws(CLIPError) -> String {
        let limit = min(data.count, position + 512)
        var end = position
        while end < limit, data[end] != 0x0A { end += 1 }
        guard end < limit else { throw fail("GLOBAL name not terminated by a newline within 512 bytes") }
        let text = String(decoding: UnsafeRawBufferPointer(rebasing: data[position..<end]), as: UTF8.self)
        position = end + 1
        return text
    }

    private mutating func text(_ count: Int) throws(CLIPError) -> String {
        String(decoding: try bytes(count), as: UTF8.self)
    }

    // MARK: Stack

    private mutating func push(_ value: PickleValue) throws(CLIPError) {
        guard stack.count < Self.maximumObjects else { throw fail("more than \(Self.maximumObjects) stack entries") }
        stack.append(value)
    }

    private mutating func pop() throws(CLIPError) -> PickleValue {
        guard stack.count > (marks.last ?? 0) else { throw fail("stack underflow") }
        return stack.removeLast()
    }

    private func top() throws(CLIPError) -> PickleValue {
        guard stack.count > (marks.last ?? 0), let value = stack.last else { throw fail("stack underflow") }
        return value
    }

    private mutating func popToMark() throws(CLIPError) -> [PickleValue] {
        guard let mark = marks.popLast() else { throw fail("no MARK on the stack") }
        let items = Array(stack[mark...])
        stack.removeSubrange(mark...)
        return items
    }

    private mutating func checkObjectCount() throws(CLIPError) {
        guard heap.objectCount < Self.maximumObjects else { throw fail("more than \(Self.maximumObjects) objects") }
    }

    private mutating func tupleItems(_ value: PickleValue, for opcode: String) throws(CLIPError) -> [PickleValue] {
        guard let items = heap.tupleItems(value) else { throw fail("\(opcode) needs a tuple of arguments, got \(heap.describe(value))") }
        return items
    }

    // MARK: Running

    /// Runs the pickle to its STOP opcode and returns the object it built.
    ///
    /// - Throws: `CLIPError.invalidInput` naming the file, the pickle and the byte offset of the opcode at fault.
    mutating func run<Hooks: PickleHooks>(hooks: inout Hooks) throws(CLIPError) -> PickleValue {
        guard data.count >= 2, data[0] == 0x80 else {
            throw fail("no protocol header; only pickle protocols 2 to 5 (as torch.save writes them) are supported")
        }
        while true {
            opcodeStart = position
            guard position < data.count else { throw fail("ends without a STOP opcode; the pickle is truncated") }
            let opcode = data[position]
            position += 1
            if opcode == 0x2E { return try pop() }  // STOP '.'
            try execute(opcode, hooks: &hooks)
        }
    }

    private mutating func execute<Hooks: PickleHooks>(_ opcode: UInt8, hooks: inout Hooks) throws(CLIPError) {
        switch opcode {
        case 0x80:  // PROTO
            let version = try uint(1)
            guard (2...5).contains(version) else { throw fail("pickle protocol \(version) is not supported (2 to 5 are)") }
        case 0x95:  // FRAME: a length hint only
            _ = try length(8)
        case 0x28:  // MARK '('
            guard marks.count < Self.maximumObjects else { throw fail("too many MARKs") }
            marks.append(stack.count)
        case 0x30:  // POP '0'
            _ = try pop()
        case 0x31:  // POP_MARK '1'
            _ = try popToMark()
        case 0x32:  // DUP '2'
            try push(try top())
        case 0x4E: try push(.none)  // NONE 'N'
        case 0x88: try push(.bool(true))  // NEWTRUE
        case 0x89: try push(.bool(false))  // NEWFALSE
        case 0x4A:  // BININT 'J'
            try push(.int(Int(Int32(truncatingIfNeeded: try uint(4)))))
        case 0x4B: try push(.int(Int(try uint(1))))  // BININT1 'K'
        case 0x4D: try push(.int(Int(try uint(2))))  // BININT2 'M'
        case 0x8A: try push(try readLong(try length(1)))  // LONG1
        case 0x8B:  // LONG4
            let count = Int32(truncatingIfNeeded: try uint(4))
            guard count >= 0, Int(count) <= data.count - position else { throw fail("LONG4 length \(count) is invalid") }
            try push(try readLong(Int(count)))
        case 0x47:  // BINFLOAT 'G' (big-endian)
            let raw = try bytes(8)
            var bits: UInt64 = 0
            for i in 0..<8 { bits = bits << 8 | UInt64(raw[i]) }
            try push(.float(Double(bitPattern: bits)))
        case 0x58: try push(.string(try text(try length(4))))  // BINUNICODE 'X'
        case 0x8C: try push(.string(try text(try length(1))))  // SHORT_BINUNICODE
        case 0x8D: try push(.string(try text(try length(8))))  // BINUNICODE8
        case 0x54:  // BINSTRING 'T' (Python 2 str, read as text)
            let count = Int32(truncatingIfNeeded: try uint(4))
            guard count >= 0 else { throw fail("BINSTRING length \(count) is negative") }
            try push(.string(String(decoding: try bytes(Int(count)), as: UTF8.self)))
        case 0x55: try push(.string(try text(try length(1))))  // SHORT_BINSTRING 'U'
        case 0x42: try push(.bytes(Array(try bytes(try length(4)))))  // BINBYTES 'B'
        case 0x43: try push(.bytes(Array(try bytes(try length(1)))))  // SHORT_BINBYTES 'C'
        case 0x8E, 0x96: try push(.bytes(Array(try bytes(try length(8)))))  // BINBYTES8, BYTEARRAY8
        case 0x29:  // EMPTY_TUPLE ')'
            try checkObjectCount()
            try push(heap.newTuple([]))
        case 0x74:  // TUPLE 't'
            let items = try popToMark()
            try checkObjectCount()
            try push(heap.newTuple(items))
        case 0x85, 0x86, 0x87:  // TUPLE1, TUPLE2, TUPLE3
            let count = Int(opcode - 0x84)
            var items: [PickleValue] = []
            for _ in 0..<count { items.insert(try pop(), at: 0) }
            try checkObjectCount()
            try push(heap.newTuple(items))
        case 0x5D:  // EMPTY_LIST ']'
            try checkObjectCount()
            try push(heap.newList())
        case 0x6C:  // LIST 'l'
            let items = try popToMark()
            try checkObjectCount()
            try push(heap.newList(items))
        case 0x61:  // APPEND 'a'
            let value = try pop()
            try append([value], to: try top())
        case 0x65:  // APPENDS 'e'
            let items = try popToMark()
            try append(items, to: try top())
        case 0x7D:  // EMPTY_DICT '}'
            try checkObjectCount()
            try push(heap.newDict())
        case 0x64:  // DICT 'd'
            let items = try popToMark()
            try checkObjectCount()
            let dict = try push(pairs: items, into: heap.newDict())
            try push(dict)
        case 0x73:  // SETITEM 's'
            let value = try pop()
            let key = try pop()
            _ = try push(pairs: [key, value], into: try top())
        case 0x75:  // SETITEMS 'u'
            let items = try popToMark()
            _ = try push(pairs: items, into: try top())
        case 0x8F:  // EMPTY_SET
            try checkObjectCount()
            try push(heap.newSet())
        case 0x90:  // ADDITEMS
            let items = try popToMark()
            guard case .set(let i) = try top() else { throw fail("ADDITEMS on something that is not a set") }
            heap.sets[i].append(contentsOf: items)
        case 0x91:  // FROZENSET
            let items = try popToMark()
            try checkObjectCount()
            try push(heap.newSet(items))
        case 0x63:  // GLOBAL 'c'
            let module = try line()
            let name = try line()
            try push(.global(PickleGlobal(module: module, name: name)))
        case 0x93:  // STACK_GLOBAL
            let name = try pop()
            let module = try pop()
            guard case .string(let n) = name, case .string(let m) = module else {
                throw fail("STACK_GLOBAL needs two strings")
            }
            try push(.global(PickleGlobal(module: m, name: n)))
        case 0x52:  // REDUCE 'R'
            let arguments = try tupleItems(try pop(), for: "REDUCE")
            let callable = try pop()
            try checkObjectCount()
            try push(try reduce(callable, arguments: arguments, hooks: &hooks))
        case 0x81:  // NEWOBJ
            let arguments = try tupleItems(try pop(), for: "NEWOBJ")
            let type = try pop()
            try checkObjectCount()
            try push(instantiate(type, arguments: arguments))
        case 0x92:  // NEWOBJ_EX
            _ = try pop()  // keyword arguments
            let arguments = try tupleItems(try pop(), for: "NEWOBJ_EX")
            let type = try pop()
            try checkObjectCount()
            try push(instantiate(type, arguments: arguments))
        case 0x62:  // BUILD 'b'
            let state = try pop()
            if case .inert(let i) = try top() { heap.inerts[i].state = state }
            // Dicts (OrderedDict._metadata), tensors and other objects: attribute state is irrelevant here.
        case 0x51:  // BINPERSID 'Q'
            let id = try pop()
            try checkObjectCount()
            try push(try hooks.persistentLoad(id, heap: &heap))
        case 0x68: try push(try memoValue(Int(try uint(1))))  // BINGET 'h'
        case 0x6A: try push(try memoValue(Int(try uint(4))))  // LONG_BINGET 'j'
        case 0x71: try memoize(Int(try uint(1)))  // BINPUT 'q'
        case 0x72: try memoize(Int(try uint(4)))  // LONG_BINPUT 'r'
        case 0x94: try memoize(memo.count)  // MEMOIZE
        default:
            throw fail("opcode \(Self.opcodeName(opcode)) is not supported in a PyTorch checkpoint")
        }
    }

    /// Reads a LONG1/LONG4 payload: little-endian two's complement of `count` bytes.
    private mutating func readLong(_ count: Int) throws(CLIPError) -> PickleValue {
        let raw = try bytes(count)
        guard count > 0 else { return .int(0) }
        if count <= 8 {
            var value: UInt64 = 0
            for i in 0..<count { value |= UInt64(raw[i]) << (8 * UInt64(i)) }
            if count < 8, raw[count - 1] & 0x80 != 0 { value |= ~0 << (8 * UInt64(count)) }
            return .int(Int(Int64(bitPattern: value)))
        }
        return .bigInt(raw.prefix(32).map { String($0, radix: 16) }.joined())
    }

    private func memoValue(_ key: Int) throws(CLIPError) -> PickleValue {
        guard let value = memo[key] else { throw fail("memo entry \(key) is read before it is written") }
        return value
    }

    private mutating func memoize(_ key: Int) throws(CLIPError) {
        guard memo.count < Self.maximumObjects || memo[key] != nil else { throw fail("more than \(Self.maximumObjects) memo entries") }
        memo[key] = try top()
    }

    private mutating func append(_ items: [PickleValue], to target: PickleValue) throws(CLIPError) {
        switch target {
        case .list(let i): heap.lists[i].append(contentsOf: items)
        case .inert(let i): heap.inerts[i].listItems.append(contentsOf: items)
        default: throw fail("APPEND to \(heap.describe(target)), not a list")
        }
    }

    /// Stores key-value pairs into a dict (or an inert dict subclass) and returns it.
    private mutating func push(pairs items: [PickleValue], into target: PickleValue) throws(CLIPError) -> PickleValue {
        guard items.count % 2 == 0 else { throw fail("SETITEMS with an odd number of items") }
        switch target {
        case .dict(let i):
            for k in stride(from: 0, to: items.count, by: 2) { heap.dicts[i].set(items[k], items[k + 1]) }
        case .inert(let i):
            for k in stride(from: 0, to: items.count, by: 2) { heap.inerts[i].dictItems.set(items[k], items[k + 1]) }
        default:
            throw fail("SETITEM on \(heap.describe(target)), not a dict")
        }
        return target
    }

    private mutating func reduce<Hooks: PickleHooks>(_ callable: PickleValue, arguments: [PickleValue],
                                                     hooks: inout Hooks) throws(CLIPError) -> PickleValue {
        guard case .global(let global) = callable else {
            return heap.newInert(InertObject(callable: heap.describe(callable), arguments: arguments))
        }
        if let value = try hooks.call(global, arguments: arguments, heap: &heap) { return value }
        inertCallables.insert(global.description)
        return heap.newInert(InertObject(callable: global.description, arguments: arguments))
    }

    private mutating func instantiate(_ type: PickleValue, arguments: [PickleValue]) -> PickleValue {
        let name: String
        if case .global(let global) = type {
            name = global.description
            if !global.module.hasPrefix("__torch__") { inertCallables.insert(name) }
        } else {
            name = heap.describe(type)
        }
        return heap.newInert(InertObject(callable: name, arguments: arguments))
    }

    private static func opcodeName(_ opcode: UInt8) -> String {
        let names: [UInt8: String] = [
            0x49: "INT", 0x4C: "LONG", 0x46: "FLOAT", 0x53: "STRING", 0x56: "UNICODE", 0x67: "GET", 0x70: "PUT",
            0x50: "PERSID", 0x69: "INST", 0x6F: "OBJ", 0x82: "EXT1", 0x83: "EXT2", 0x84: "EXT4",
            0x97: "NEXT_BUFFER", 0x98: "READONLY_BUFFER",
        ]
        let hex = "0x" + String(opcode, radix: 16, uppercase: true)
        if let name = names[opcode] { return "\(name) (\(hex))" }
        return "\(hex) (unknown)"
    }
}
