import Testing
@testable import Tensors

@Suite struct MatrixTests {
    @Test func rowMajorIndexing() {
        let m = Matrix(rows: 2, columns: 3, values: [1, 2, 3, 4, 5, 6])
        #expect(m[1, 0] == 4)
        #expect(m.row(1) == [4, 5, 6])
    }

    @Test func stackingRows() {
        let m = Matrix(stacking: [[1, 2], [3, 4], [5, 6]])
        #expect(m.rows == 3 && m.columns == 2 && m[2, 1] == 6)
        #expect(Matrix(stacking: [], columns: 4).rows == 0)
    }
}

@Suite struct BLASTests {
    @Test func productMatchesNaiveLoopWithTransposes() {
        let a = Matrix(rows: 3, columns: 5, values: (0..<15).map { Float($0) * 0.5 - 3 })
        let b = Matrix(rows: 4, columns: 5, values: (0..<20).map { Float(($0 * 7) % 11) - 5 })
        let c = a.multiplied(by: b, transposeOther: true)
        #expect(c.rows == 3 && c.columns == 4)
        for i in 0..<3 {
            for j in 0..<4 {
                var sum: Float = 0
                for t in 0..<5 { sum += a[i, t] * b[j, t] }
                #expect(abs(c[i, j] - sum) < 1e-4)
            }
        }
        let ct = b.multiplied(by: a, transposeSelf: false, transposeOther: true)
        for i in 0..<3 { for j in 0..<4 { #expect(abs(ct[j, i] - c[i, j]) < 1e-4) } }
    }
}
