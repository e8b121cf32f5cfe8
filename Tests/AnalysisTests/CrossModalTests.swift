import Testing
import Tensors
import AugLabTestSupport
@testable import Analysis

@Suite struct CrossModalTests {
    @Test func defaultPromptsAreUniqueImageNetStyleSentences() {
        #expect(DistractorPrompts.classes.count == 90)
        #expect(Set(DistractorPrompts.classes).count == 90)
        #expect(DistractorPrompts.prompt(for: "cat") == "a photo of a cat.")
        #expect(DistractorPrompts.prompt(for: "elephant") == "a photo of an elephant.")
        #expect(DistractorPrompts.prompts().count == 90)
    }

    @Test func promptsNamingTheCaptionAreLeftOut() {
        let prompts = DistractorPrompts.prompts(excludingClassesIn: "Two cats and a Teddy Bear on a bed")
        #expect(!prompts.contains("a photo of a cat.") && !prompts.contains("a photo of a teddy bear."))
        #expect(!prompts.contains("a photo of a bed.") && !prompts.contains("a photo of a bear."))
        #expect(prompts.count == 86 && prompts.contains("a photo of a dog."))
    }

    @Test func driftingImageLosesItsCaptionAndTheLevelIsReported() throws {
        var generator = SyntheticCrossModal()
        generator.finalAlignment = -0.2
        let (images, caption, distractors) = generator.make()
        let result = try CrossModalReadout.evaluate(images: images, caption: caption, distractors: distractors,
                                                    levels: generator.levels, unit: "sigma")
        #expect(result.readout.first?.rank == 1 && result.readout.first?.recognized == true)
        #expect(result.readout.last?.recognized == false)
        let lost = try #require(result.readout.firstIndex { !$0.recognized })
        #expect(result.finding.detected && result.finding.value == generator.levels[lost])
        #expect(result.finding.pValue == 1 / 81 && result.finding.effect > 0)
        #expect(abs(result.finding.score - Double(result.readout.filter(\.recognized).count) / 20) < 1e-12)
        for point in result.readout {
            #expect(point.pValue == Double(point.rank) / 81)
            #expect(abs(point.normalizedCaptionSimilarity - (point.captionSimilarity - point.distractorMean) / (1 - point.distractorMean)) < 1e-12)
        }
    }

    @Test func stableImageKeepsItsCaption() throws {
        var generator = SyntheticCrossModal()
        generator.finalAlignment = 1
        let (images, caption, distractors) = generator.make()
        let result = try CrossModalReadout.evaluate(images: images, caption: caption, distractors: distractors,
                                                    levels: generator.levels, unit: "degrees")
        #expect(!result.finding.detected && result.finding.score == 1 && result.finding.value == nil)
    }

    /// Null: captions unrelated to the images. The per-variant recognition rate and the rate of
    /// "breaks" (which need recognition at the reference) stay under alpha.
    @Test func falseRecognitionRateOnUnrelatedCaptionsStaysUnderAlpha() throws {
        var recognised = 0, variants = 0, breaks = 0
        for trial in 0..<200 {
            var generator = SyntheticCrossModal()
            generator.captionMatchesImage = false
            generator.seed = UInt64(5000 + trial)
            let (images, caption, distractors) = generator.make()
            let result = try CrossModalReadout.evaluate(images: images, caption: caption, distractors: distractors,
                                                        levels: generator.levels, unit: "sigma")
            recognised += result.readout.filter(\.recognized).count
            variants += result.readout.count
            if result.finding.detected { breaks += 1 }
        }
        let alpha = CrossModalReadout.Configuration().alpha
        print("crossmodal unrelated captions: \(recognised)/\(variants) variants recognised, \(breaks)/200 breaks")
        #expect(Double(recognised) / Double(variants) <= alpha)
        #expect(Double(breaks) / 200 <= alpha)
    }

    @Test func unrecognisedCaptionIsReportedNotDetected() throws {
        // Distractors that are the images themselves always beat the caption.
        let (images, caption, _) = SyntheticCrossModal().make()
        let result = try CrossModalReadout.evaluate(images: images, caption: caption, distractors: images,
                                                    levels: SyntheticCrossModal().levels, unit: "sigma")
        #expect(result.readout.allSatisfy { !$0.recognized && $0.rank > 1 })
        #expect(!result.finding.detected && result.finding.score == 0)
        #expect(result.finding.warnings.contains { $0.code == "caption-not-recognized" })
    }

    @Test func badShapesAreRejected() {
        let images = Matrix(rows: 3, columns: 4), caption = Matrix(rows: 1, columns: 4)
        #expect(throws: AnalysisError.self) {
            try CrossModalReadout.evaluate(images: images, caption: caption, distractors: Matrix(rows: 0, columns: 4),
                                           levels: [0, 1, 2], unit: "x")
        }
        #expect(throws: AnalysisError.self) {
            try CrossModalReadout.evaluate(images: images, caption: Matrix(rows: 2, columns: 4),
                                           distractors: Matrix(rows: 5, columns: 4), levels: [0, 1, 2], unit: "x")
        }
        #expect(throws: AnalysisError.self) {
            try CrossModalReadout.evaluate(images: images, caption: caption, distractors: Matrix(rows: 5, columns: 4),
                                           levels: [0, 1], unit: "x")
        }
        #expect(throws: AnalysisError.self) {
            try CrossModalReadout.evaluate(images: images, caption: caption, distractors: Matrix(rows: 5, columns: 4),
                                           levels: [0, 1, 2], unit: "x", referenceIndex: 3)
        }
    }
}
