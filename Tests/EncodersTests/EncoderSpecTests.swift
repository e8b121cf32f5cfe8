import Foundation
import Testing
import AugLabTestSupport
import CLIP
@testable import Encoders

/// `--model SPEC`: the accepted forms and the errors for everything else.
@Suite struct EncoderSpecTests {
    @Test func parsesTheAcceptedForms() throws {
        let none: (String) -> Bool = { _ in false }
        #expect(try EncoderSpec(parsing: "pixels", exists: none) == EncoderSpec(name: "pixels", source: .control(.pixels)))
        #expect(try EncoderSpec(parsing: "Histogram", exists: { _ in true }).source == .control(.histogram), "control names win")
        #expect(try EncoderSpec(parsing: "base=pixels-mirror", exists: none)
                == EncoderSpec(name: "base", source: .control(.pixelsMirror), isNameExplicit: true))
        #expect(try EncoderSpec(parsing: "vit=models/a=b/folder", exists: none)
                == EncoderSpec(name: "vit", source: .path("models/a=b/folder"), isNameExplicit: true))
        #expect(try EncoderSpec(parsing: "models/a=b/folder", exists: { $0 == "models/a=b/folder" })
                == EncoderSpec(name: "folder", source: .path("models/a=b/folder")), "an existing path is taken whole")
        #expect(try EncoderSpec(parsing: "/w/weights/ViT-B-32.safetensors", exists: none).name == "ViT-B-32")
        #expect(try EncoderSpec(parsing: "./pixels", exists: none).source == .path("./pixels"))
        #expect(try EncoderSpec(parsing: "vit=x").description == "vit=x")
        for bad in ["", "=x", "name="] {
            #expect(throws: EncoderError.self, "'\(bad)'") { try EncoderSpec(parsing: bad, exists: none) }
        }
    }

    @Test func resolvesEachKind() throws {
        let clip = try EncoderSpec(parsing: "tiny=" + EncoderFixtures.clip("vit_hf")).resolve()
        #expect(clip.descriptor.name == "tiny" && clip.descriptor.kind == .clip && clip.text != nil && clip.clip != nil)
        #expect(clip.image is CLIPEncoder, "no cache given, no cache in front")
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let cached = try EncoderSpec(parsing: EncoderFixtures.clip("rn_openclip"))
            .resolve(EncoderResolveOptions(cache: EmbeddingCache(directory: directory.url.path)))
        #expect(cached.image is CachedImageEncoder && cached.descriptor.name == "rn_openclip")
        let control = try EncoderSpec(parsing: "histogram").resolve()
        #expect(control.descriptor.kind == .control && control.text == nil && control.clip == nil)
        let precomputed = try EncoderSpec(parsing: EncoderFixtures.reference("precomputed/indexed.safetensors")).resolve()
        #expect(precomputed.descriptor.kind == .precomputed && precomputed.text != nil)
        #expect(precomputed.descriptor.name == "reference-embeddings", "the index's name, as no NAME= was given")
        let named = try EncoderSpec(parsing: "mine=" + EncoderFixtures.reference("precomputed/index.json")).resolve()
        #expect(named.descriptor.name == "mine")
        let file = try EncoderSpec(parsing: Fixtures.package("Tests/CLIPTests/Resources/checkpoints/tiny_vit_state_dict.pt").path).resolve()
        #expect(file.descriptor.kind == .clip && file.descriptor.embeddingDimension == 8)
    }

    @Test func errorsSayWhatIsWrongAndWhatIsAccepted() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let missing = directory.path("nothing-here")
        #expect { try EncoderSpec(parsing: missing).resolve() } throws: {
            mentions($0, missing, "no such file or folder", "NAME=PATH", "pixels, pixels-mirror, histogram")
        }
        #expect { try EncoderSpec(parsing: "x=" + directory.url.path).resolve() } throws: {
            mentions($0, directory.url.path, "not a model folder", "open_clip_config.json", "config.json")
        }
        let npy = EncoderFixtures.reference("precomputed/images_f4.npy")
        #expect { try EncoderSpec(parsing: npy).resolve() } throws: { mentions($0, npy, "needs a JSON index") }
        let text = directory.path("notes.txt")
        try Data("hello, not weights".utf8).write(to: URL(fileURLWithPath: text))
        #expect { try EncoderSpec(parsing: text).resolve() } throws: { mentions($0, text) }
    }
}
