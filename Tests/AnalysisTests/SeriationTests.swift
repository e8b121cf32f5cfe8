import Foundation
import Testing
import Tensors
import AugLabTestSupport
@testable import Analysis

/// Average-linkage seriation: scipy's merges and leaf order (with and without ties), planted clusters
/// recovered as contiguous blocks, the reordered matrix, and bad input.
@Suite struct SeriationTests {
    static func expectMatchesScipy(_ reference: GapReference.SeriationCase) throws {
        let dendrogram = try Seriation.averageLinkage(similarities: GapReference.matrix(reference.similarities))
        try #require(dendrogram.merges.count == reference.linkage.count)
        for (merge, row) in zip(dendrogram.merges, reference.linkage) {
            #expect(merge.left == Int(row[0]) && merge.right == Int(row[1]))
            #expect(abs(merge.height - row[2]) < 1e-12)
            #expect(merge.size == Int(row[3]))
        }
        #expect(dendrogram.leafOrder == reference.leaves)
    }

    @Test func mergesAndLeafOrderMatchScipy() throws {
        try Self.expectMatchesScipy(try GapReference.load().seriation)
    }

    @Test func tiesAreBrokenAsScipyBreaksThem() throws {
        try Self.expectMatchesScipy(try GapReference.load().seriationTies)
    }

    /// `clusters` groups of random sizes, shuffled: tight within a cluster, unrelated across.
    static func plantedClusters(seed: UInt64, clusters: Int, dimension: Int = 24) -> (Matrix, [Int]) {
        var random = SyntheticRandom(seed: seed)
        let centres = (0..<clusters).map { _ in random.unitVector(dimension) }
        var labels: [Int] = []
        for cluster in 0..<clusters { labels += Array(repeating: cluster, count: 2 + random.index(below: 6)) }
        for k in stride(from: labels.count - 1, to: 0, by: -1) { labels.swapAt(k, random.index(below: k + 1)) }
        let rows = labels.map { label -> [Double] in
            let noise = random.unitVector(dimension)
            return (0..<dimension).map { centres[label][$0] + 0.35 * noise[$0] }
        }
        return (SyntheticCosine.matrix(rows), labels)
    }

    @Test(arguments: [UInt64(1), 2, 3, 4, 5])
    func plantedClustersBecomeContiguousBlocks(_ seed: UInt64) throws {
        let (similarities, labels) = Self.plantedClusters(seed: seed, clusters: 5)
        let result = try Seriation.order(similarities: similarities)
        #expect(result.permutation.sorted() == Array(0..<labels.count))
        let ordered = result.permutation.map { labels[$0] }
        var runs = 1
        for k in 1..<ordered.count where ordered[k] != ordered[k - 1] { runs += 1 }
        #expect(runs == 5, "labels in leaf order: \(ordered)")
        // Cutting the tree into five clusters gives the planted partition.
        let found = result.dendrogram.clusters(count: 5)
        for i in labels.indices {
            for j in labels.indices { #expect((labels[i] == labels[j]) == (found[i] == found[j])) }
        }
        // The ordered matrix is the input with rows and columns permuted.
        for k in 0..<ordered.count {
            for l in 0..<ordered.count {
                #expect(result.ordered[k, l] == similarities[result.permutation[k], result.permutation[l]])
            }
        }
    }

    @Test func clusterLabelsFollowTheLeafOrder() throws {
        let (similarities, _) = Self.plantedClusters(seed: 9, clusters: 3)
        let dendrogram = try Seriation.averageLinkage(similarities: similarities)
        #expect(dendrogram.clusters(count: 1).allSatisfy { $0 == 0 })
        let all = dendrogram.clusters(count: similarities.rows)
        #expect(dendrogram.leafOrder.map { all[$0] } == Array(0..<similarities.rows))
        let three = dendrogram.clusters(count: 3)
        let inOrder = dendrogram.leafOrder.map { three[$0] }
        #expect(inOrder.first == 0 && inOrder.last == 2 && inOrder == inOrder.sorted())
        #expect(dendrogram.clusters(count: 0) == dendrogram.clusters(count: 1))
        #expect(dendrogram.clusters(count: 1000) == all)
    }

    @Test func heightsGrowAndSizesAddUp() throws {
        let (similarities, _) = Self.plantedClusters(seed: 11, clusters: 4)
        let dendrogram = try Seriation.averageLinkage(similarities: similarities)
        let n = similarities.rows
        #expect(dendrogram.merges.count == n - 1)
        #expect(zip(dendrogram.merges, dendrogram.merges.dropFirst()).allSatisfy { $0.height <= $1.height })
        #expect(dendrogram.merges.last?.size == n)
        for (k, merge) in dendrogram.merges.enumerated() {
            #expect(merge.left < merge.right && merge.right < n + k)
        }
    }

    @Test func smallAndDegenerateMatrices() throws {
        #expect(try Seriation.order(similarities: Matrix(rows: 0, columns: 0)).permutation == [])
        #expect(try Seriation.order(similarities: Matrix(rows: 1, columns: 1, repeating: 1)).permutation == [0])
        let two = try Seriation.order(similarities: Matrix(rows: 2, columns: 2, values: [1, 0.3, 0.3, 1]))
        #expect(two.permutation == [0, 1] && two.dendrogram.merges.count == 1)
        #expect(abs(two.dendrogram.merges[0].height - (1 - Double(Float(0.3)))) < 1e-12)
        // Every distance equal: the chain takes the lowest index each time; the order is a permutation.
        let flat = try Seriation.order(similarities: Matrix(rows: 7, columns: 7, repeating: 0.5))
        #expect(flat.permutation.sorted() == Array(0..<7))
        #expect(flat.dendrogram.merges.allSatisfy { abs($0.height - 0.5) < 1e-12 })
        // Similarities above 1 (rounding) clamp to distance 0; asymmetric input is symmetrised.
        let asymmetric = try Seriation.averageLinkage(similarities: Matrix(rows: 3, columns: 3, values: [1, 1.2, 0, 0.8, 1, 0.1, 0, 0.1, 1]))
        #expect(asymmetric.merges[0].left == 0 && asymmetric.merges[0].right == 1)
        #expect(abs(asymmetric.merges[0].height) < 1e-12)
    }

    @Test func badInputIsAnError() {
        #expect(throws: AnalysisError.self) { try Seriation.order(similarities: Matrix(rows: 2, columns: 3)) }
        var nan = Matrix(rows: 3, columns: 3, repeating: 1)
        nan[0, 2] = .nan
        #expect(throws: AnalysisError.self) { try Seriation.order(similarities: nan) }
        let big = Seriation.maximumSize + 1
        do {
            _ = try Seriation.averageLinkage(similarities: Matrix(rows: big, columns: big))
            Issue.record("a matrix over the size limit was accepted")
        } catch {
            #expect(error.code == .invalidArgument)
        }
    }
}
