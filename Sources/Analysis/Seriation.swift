import Tensors

/// A binary merge tree over n items (leaves 0..<n), in scipy's linkage-matrix convention.
///
/// Merge k creates cluster n + k from `left` and `right` (leaf or earlier cluster ids, `left` <
/// `right`) at `height`; merges are sorted by height (ties keep the order they were found in).
public struct Dendrogram: Sendable, Equatable, Codable {
    /// One merge of two clusters.
    public struct Merge: Sendable, Equatable, Codable {
        /// The smaller id of the two clusters joined.
        public var left: Int
        /// The larger id.
        public var right: Int
        /// The distance at which they were joined (average linkage: mean pairwise distance).
        public var height: Double
        /// Number of leaves in the new cluster.
        public var size: Int
    }

    /// Number of leaves n.
    public let leafCount: Int
    /// The n − 1 merges (none for n ≤ 1).
    public let merges: [Merge]

    /// The leaves left to right: a depth-first walk from the root, the child with the smaller id
    /// first (scipy's `leaves_list`). Identity order for n ≤ 1.
    public var leafOrder: [Int] {
        guard leafCount > 1, let root = merges.indices.last else { return Array(0..<leafCount) }
        var order: [Int] = []
        order.reserveCapacity(leafCount)
        var stack = [leafCount + root]
        while let node = stack.popLast() {
            if node < leafCount {
                order.append(node)
            } else {
                let merge = merges[node - leafCount]
                stack.append(merge.right)
                stack.append(merge.left)
            }
        }
        return order
    }

    /// A flat clustering into `count` clusters by undoing the last `count − 1` merges.
    ///
    /// Returns one label per leaf, numbered 0, 1, … in the order the clusters first appear in
    /// `leafOrder`. `count` is clamped to 1...n.
    public func clusters(count: Int) -> [Int] {
        guard leafCount > 0 else { return [] }
        let wanted = min(max(count, 1), leafCount)
        // The roots after the first n − wanted merges, then each leaf's root.
        var parent = Array(0..<(leafCount + merges.count))
        func root(_ x: Int) -> Int {
            var x = x
            while parent[x] != x { x = parent[x] }
            return x
        }
        for (k, merge) in merges.prefix(leafCount - wanted).enumerated() {
            parent[merge.left] = leafCount + k
            parent[merge.right] = leafCount + k
        }
        var labelOfRoot: [Int: Int] = [:]
        var labels = [Int](repeating: 0, count: leafCount)
        for leaf in leafOrder {
            let r = root(leaf)
            if labelOfRoot[r] == nil { labelOfRoot[r] = labelOfRoot.count }
            labels[leaf] = labelOfRoot[r] ?? 0
        }
        return labels
    }
}

/// The rows and columns of a similarity matrix put in cluster order.
public struct SeriationResult: Sendable, Equatable {
    /// The merge tree.
    public var dendrogram: Dendrogram
    /// `permutation[k]` = the original index shown at position k.
    public var permutation: [Int]
    /// The input matrix with rows and columns in `permutation` order.
    public var ordered: Matrix
}

/// Orders a similarity matrix so that similar items sit together (a seriation), for heatmaps.
///
/// The method is average-linkage (UPGMA) hierarchical clustering of the distances
/// dᵢⱼ = 1 − sᵢⱼ of the symmetrised matrix (sᵢⱼ + sⱼᵢ)/2, built with the nearest-neighbour-chain
/// algorithm (O(n²) time and memory), and the dendrogram's leaf order. Ties are broken the same
/// way every time: a chain keeps its previous cluster when it is among the nearest, otherwise the
/// lowest cluster index wins; merges of equal height keep the order they were found in. On
/// distances without ties the merges and leaf order equal scipy's
/// `leaves_list(linkage(squareform(d), "average"))`.
public enum Seriation {
    /// Largest matrix side accepted (the condensed distances take n(n−1)/2 Doubles: 67 MB here).
    public static let maximumSize = 4096

    /// Average-linkage clustering of a symmetric (or nearly symmetric) n × n similarity matrix.
    ///
    /// - Throws: `AnalysisError.invalidInput` for a matrix that is not square or holds a
    ///   non-finite value; `.invalidArgument` for n above `maximumSize`.
    public static func averageLinkage(similarities: Matrix) throws(AnalysisError) -> Dendrogram {
        let n = similarities.rows
        guard similarities.columns == n else {
            throw AnalysisError(.invalidInput, "a seriation needs a square similarity matrix (got \(n)×\(similarities.columns))",
                                location: "matrix shape")
        }
        guard n <= maximumSize else {
            throw AnalysisError(.invalidArgument, "a seriation of \(n) items exceeds the limit of \(maximumSize)", location: "matrix shape")
        }
        try similarities.requireFinite("similarity matrix")
        var distances = [Double](repeating: 0, count: n * (n - 1) / 2 + (n == 0 ? 1 : 0))
        for i in 0..<n {
            for j in (i + 1)..<max(i + 1, n) {
                let s = 0.5 * (Double(similarities[i, j]) + Double(similarities[j, i]))
                distances[condensedIndex(n, i, j)] = max(0, 1 - s)
            }
        }
        return nearestNeighbourChain(distances, count: n)
    }

    /// The cluster order of `similarities` and the reordered matrix.
    ///
    /// - Throws: as `averageLinkage(similarities:)`.
    public static func order(similarities: Matrix) throws(AnalysisError) -> SeriationResult {
        let dendrogram = try averageLinkage(similarities: similarities)
        let permutation = dendrogram.leafOrder
        return SeriationResult(dendrogram: dendrogram, permutation: permutation,
                               ordered: reordered(similarities, by: permutation))
    }

    /// `matrix` with rows and columns taken in `permutation` order (entry (k, l) = (p[k], p[l])).
    ///
    /// `permutation` must be a permutation of 0..<n of the n × n matrix (as returned here).
    public static func reordered(_ matrix: Matrix, by permutation: [Int]) -> Matrix {
        let n = permutation.count
        var result = Matrix(rows: n, columns: n)
        for (k, row) in permutation.enumerated() {
            for (l, column) in permutation.enumerated() { result.values[k * n + l] = matrix[row, column] }
        }
        return result
    }

    /// Position of the pair i < j in the condensed upper triangle of an n × n matrix.
    @inline(__always)
    static func condensedIndex(_ n: Int, _ i: Int, _ j: Int) -> Int {
        let (a, b) = i < j ? (i, j) : (j, i)
        return n * a - a * (a + 1) / 2 + (b - a - 1)
    }

    /// UPGMA by nearest-neighbour chains on condensed distances, then scipy's relabelling.
    static func nearestNeighbourChain(_ condensed: [Double], count n: Int) -> Dendrogram {
        guard n > 1 else { return Dendrogram(leafCount: n, merges: []) }
        var distances = condensed
        var size = [Int](repeating: 1, count: n)  // 0: merged away
        var chain: [Int] = []
        chain.reserveCapacity(n)
        // Raw merges over the slot ids: the merged cluster lives on in slot `y`.
        var raw: [(x: Int, y: Int, height: Double)] = []
        raw.reserveCapacity(n - 1)
        for _ in 0..<(n - 1) {
            if chain.isEmpty, let first = size.firstIndex(where: { $0 > 0 }) { chain.append(first) }
            var x = 0, y = 0, nearest = 0.0
            while true {
                x = chain[chain.count - 1]
                // Prefer the previous chain element on ties, so the chain cannot cycle.
                if chain.count > 1 {
                    y = chain[chain.count - 2]
                    nearest = distances[condensedIndex(n, x, y)]
                } else {
                    nearest = .infinity
                }
                for i in 0..<n where size[i] > 0 && i != x {
                    let d = distances[condensedIndex(n, x, i)]
                    if d < nearest { nearest = d; y = i }
                }
                if chain.count > 1 && y == chain[chain.count - 2] { break }
                chain.append(y)
            }
            chain.removeLast(2)
            if x > y { swap(&x, &y) }
            let nx = Double(size[x]), ny = Double(size[y])
            raw.append((x, y, nearest))
            size[y] += size[x]
            size[x] = 0
            // Average linkage (Lance–Williams): d(k, x∪y) = (nx·d(k,x) + ny·d(k,y)) / (nx + ny).
            for k in 0..<n where size[k] > 0 && k != y {
                let dk = (nx * distances[condensedIndex(n, k, x)] + ny * distances[condensedIndex(n, k, y)]) / (nx + ny)
                distances[condensedIndex(n, k, y)] = dk
            }
        }
        // Sort by height (stable), then name each new cluster n + k by union–find.
        let sorted = raw.indices.sorted { raw[$0].height < raw[$1].height || (raw[$0].height == raw[$1].height && $0 < $1) }
        var parent = Array(0..<(2 * n - 1))
        var clusterSize = [Int](repeating: 1, count: 2 * n - 1)
        func find(_ x: Int) -> Int {
            var x = x
            while parent[x] != x {
                parent[x] = parent[parent[x]]
                x = parent[x]
            }
            return x
        }
        var merges: [Dendrogram.Merge] = []
        merges.reserveCapacity(n - 1)
        for (k, index) in sorted.enumerated() {
            let a = find(raw[index].x), b = find(raw[index].y)
            let id = n + k
            parent[a] = id
            parent[b] = id
            clusterSize[id] = clusterSize[a] + clusterSize[b]
            merges.append(Dendrogram.Merge(left: min(a, b), right: max(a, b), height: raw[index].height, size: clusterSize[id]))
        }
        return Dendrogram(leafCount: n, merges: merges)
    }
}
