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
