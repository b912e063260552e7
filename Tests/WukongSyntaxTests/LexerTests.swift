import XCTest
import WukongDiagnostics
import WukongNet
@testable import WukongSyntax

final class LexerTests: XCTestCase {
    // MARK: token classes

    func testIdentifiersWithDashes() {
        let l = T.lex("br-external web-1 _x a_b-c i-1")
        XCTAssertEqual(l.tokens.dropLast().map { l.text(of: $0) }, ["br-external", "web-1", "_x", "a_b-c", "i-1"])
        XCTAssertTrue(l.tokens.dropLast().allSatisfy { $0.kind == .identifier })
        XCTAssertEqual(l.diagnostics, [])
    }

    func testIdentifierDoesNotEndInDash() {
        let l = T.lex("a- 1")
        XCTAssertEqual(l.tokens.dropLast().map(\.kind), [.identifier, .minus, .integer])
        XCTAssertEqual(l.text(of: l.tokens[0]), "a")
        XCTAssertEqual(T.kinds("x-->y"), [.identifier, .minus, .arrow, .identifier])
    }

    func testSubtractionNeedsSpaces() {
        XCTAssertEqual(T.kinds("a - 1"), [.identifier, .minus, .integer])
        XCTAssertEqual(T.kinds("a-1"), [.identifier])
    }

    func testKeywords() {
        for (word, kind) in zip(TokenKind.keywords, [TokenKind.kwImport, .kwTopology, .kwHost, .kwNic, .kwVlan, .kwBond,
                                                      .kwBridge, .kwOvsBridge, .kwNetwork, .kwVm, .kwUser, .kwOn, .kwLet,
                                                      .kwFn, .kwFor, .kwIn, .kwIf, .kwElse, .kwAssert, .kwTrue, .kwFalse,
                                                      .kwAuto, .kwDhcp, .kwPod]) {
            XCTAssertEqual(T.kinds(word), [kind], word)
            XCTAssertEqual(T.kinds(word + "x"), [.identifier], word + "x")
            XCTAssertEqual(T.kinds(word + "-1"), [.identifier], word + "-1")
        }
        XCTAssertEqual(T.kinds("as"), [.identifier], "`as` is contextual")
        XCTAssertEqual(T.kinds("ovs-bridge ovs-bridges ovs"), [.kwOvsBridge, .identifier, .identifier])
        XCTAssertEqual(T.kinds("Vm VM"), [.identifier, .identifier], "keywords are case-sensitive")
    }

    func testIntegers() {
        let l = T.lex("42 0x2a 1_000 0 0xFF_FF 9223372036854775807")
        XCTAssertEqual(l.tokens.dropLast().map(\.kind), Array(repeating: .integer, count: 6))
        XCTAssertEqual(l.tokens.dropLast().compactMap { l.integerValue(of: $0) }, [42, 42, 1000, 0, 65535, Int64.max])
        XCTAssertEqual(l.diagnostics, [])
    }

    func testIntegerOutOfRange() {
        for text in ["9223372036854775808", "0x8000000000000000", "99999999999999999999999"] {
            let l = T.lex(text)
            XCTAssertEqual(T.codes(l.diagnostics), ["E0106"], text)
            XCTAssertEqual(l.tokens[0].kind, .badLiteral)
        }
        XCTAssertEqual(T.codes(T.lex("1_").diagnostics), ["E0106"])
        XCTAssertEqual(T.codes(T.lex("0x").diagnostics), ["E0106"])
        XCTAssertEqual(T.codes(T.lex("0x2g").diagnostics), ["E0106"])
    }

    func testQuantities() {
        let l = T.lex("512Mi 4Gi 2G 1k 1Ki 1Ti 1Pi 1Ei 3T 5P 1E 7M")
        XCTAssertEqual(l.diagnostics, [])
        let values = l.tokens.dropLast().compactMap { l.quantityValue(of: $0)?.bytes }
        XCTAssertEqual(values, [512 << 20, 4 << 30, 2_000_000_000, 1000, 1024, 1 << 40, 1 << 50, 1 << 60,
                                3_000_000_000_000, 5_000_000_000_000_000, 1_000_000_000_000_000_000, 7_000_000])
    }

    func testBadQuantitySuffixSuggests() {
        let cases: [(String, String)] = [("4GB", "`4Gi` or `4G`"), ("4gi", "`4Gi`"), ("500m", "`500Mi` or `500M`"),
                                         ("1KB", "`1Ki` or `1k`"), ("2GiB", "`2Gi`"), ("3K", "`3Ki` or `3k`")]
        for (text, expected) in cases {
            let l = T.lex(text)
            XCTAssertEqual(T.codes(l.diagnostics), ["E0107"], text)
            XCTAssertTrue(l.diagnostics.first?.help?.contains("did you mean \(expected)?") ?? false,
                          "\(text): \(l.diagnostics.first?.help ?? "")")
            XCTAssertEqual(l.diagnostics.first?.span.length, text.utf8.count)
            XCTAssertEqual(l.tokens[0].kind, .badLiteral)
        }
        let odd = T.lex("12abc").diagnostics
        XCTAssertEqual(T.codes(odd), ["E0107"])
        XCTAssertTrue(odd[0].help?.contains("Ki Mi Gi Ti Pi Ei") ?? false)
        XCTAssertEqual(T.codes(T.lex("9Ei").diagnostics), ["E0106"], "quantity overflow")
    }

    func testIPv4() {
        let l = T.lex("192.168.0.1 0.0.0.0 255.255.255.255")
        XCTAssertEqual(l.diagnostics, [])
        XCTAssertEqual(l.tokens.dropLast().compactMap { l.ipv4Value(of: $0)?.description },
                       ["192.168.0.1", "0.0.0.0", "255.255.255.255"])
    }

    func testIPv4Prefix() {
        let l = T.lex("192.168.0.0/24 192.168.0.121/24 0.0.0.0/0 10.0.0.0/32")
        XCTAssertEqual(l.diagnostics, [])
        XCTAssertEqual(l.tokens.dropLast().compactMap { l.ipv4PrefixValue(of: $0)?.description },
                       ["192.168.0.0/24", "192.168.0.121/24", "0.0.0.0/0", "10.0.0.0/32"])
        // a space before `/` makes it a division
        XCTAssertEqual(T.kinds("10.0.0.0 / 24"), [.ipv4, .slash, .integer])
    }

    func testBadIPv4() {
        for text in ["1.2.3", "010.0.0.1", "1.2.3.4.5", "256.0.0.1", "1.2.3.4x", "1.5"] {
            let l = T.lex(text)
            XCTAssertEqual(T.codes(l.diagnostics), ["E0108"], text)
            XCTAssertEqual(l.diagnostics.first?.span.startOffset, 0)
            XCTAssertEqual(l.tokens[0].kind, .badLiteral, text)
        }
        XCTAssertTrue(T.lex("010.0.0.1").diagnostics[0].help?.contains("`10.0.0.1`") ?? false)
        XCTAssertEqual(T.lex("010.0.0.1").diagnostics[0].fixIts.map(\.replacement), ["10.0.0.1"])
    }

    func testBadPrefix() {
        for text in ["10.0.0.0/33", "10.0.0.0/024", "10.0.0.0/100", "10.0.0.0/2x", "10.0.0.0/08"] {
            let l = T.lex(text)
            XCTAssertEqual(T.codes(l.diagnostics), ["E0109"], text)
            XCTAssertEqual(l.diagnostics.first?.span.startOffset, 8, "at the `/`")
        }
    }

    func testIPRangesAndMembers() {
        XCTAssertEqual(T.kinds("10.0.0.1..=10.0.0.9"), [.ipv4, .dotDotEqual, .ipv4])
        XCTAssertEqual(T.kinds("10.0.0.1..10.0.0.9"), [.ipv4, .dotDot, .ipv4])
        XCTAssertEqual(T.kinds("1..=5"), [.integer, .dotDotEqual, .integer])
        XCTAssertEqual(T.kinds("1..5"), [.integer, .dotDot, .integer])
        XCTAssertEqual(T.kinds("subnet.size"), [.identifier, .dot, .identifier])
        XCTAssertEqual(T.kinds("10.0.0.0/24.size"), [.ipv4Prefix, .dot, .identifier])
        XCTAssertEqual(T.kinds("10.0.0.1// comment"), [.ipv4])
    }

    func testPunctuation() {
        let text = "{ } [ ] ( ) , . = : -> ... .. ..= == != < <= > >= + - * / % && || !"
        XCTAssertEqual(T.kinds(text), [.lBrace, .rBrace, .lBracket, .rBracket, .lParen, .rParen, .comma, .dot, .assign,
                                       .colon, .arrow, .ellipsis, .dotDot, .dotDotEqual, .equalEqual, .notEqual, .less,
                                       .lessEqual, .greater, .greaterEqual, .plus, .minus, .star, .slash, .percent,
                                       .ampAmp, .pipePipe, .bang])
    }

    func testStrayCharacters() {
        for (text, help) in [("a @ b", nil), ("a & b", "`&&`"), ("x = 1;", "newline"), ("'x'", "double quotes")] {
            let l = T.lex(text)
            XCTAssertEqual(T.codes(l.diagnostics), ["E0101"], text)
            if let help { XCTAssertTrue(l.diagnostics[0].help?.contains(help) ?? false, text) }
            XCTAssertTrue(l.tokens.contains { $0.kind == .invalid })
        }
        // a run of stray characters is one diagnostic
        XCTAssertEqual(T.codes(T.lex("a @#^ b").diagnostics), ["E0101"])
        XCTAssertEqual(T.codes(T.lex("x = é").diagnostics), ["E0101"])
        XCTAssertEqual(T.kinds("a @&& b"), [.identifier, .invalid, .ampAmp, .identifier], "`&&` ends a stray run")
    }

    func testNonASCIIName() {
        let l = T.lex("café = 1")
        XCTAssertEqual(T.codes(l.diagnostics), ["E0113"])
        XCTAssertEqual(l.diagnostics[0].span.length, "café".utf8.count)
    }

    func testNulByte() {
        let l = Lexer.lex(T.source(bytes: Array("a = 1".utf8) + [0] + Array("\nb = 2".utf8)))
        XCTAssertEqual(T.codes(l.diagnostics), ["E0101"])
        XCTAssertEqual(l.diagnostics[0].span.startOffset, 5)
        XCTAssertTrue(l.diagnostics[0].message.contains("NUL"))
        // in a string, too
        let s = Lexer.lex(T.source(bytes: Array("a = \"x".utf8) + [0] + Array("y\"".utf8)))
        XCTAssertEqual(T.codes(s.diagnostics), ["E0101"])
    }

    func testInvalidUTF8() {
        for bytes: [UInt8] in [[0xFF], [0xC3], [0xE2, 0x82], [0xED, 0xA0, 0x80], [0xF5, 0x80, 0x80, 0x80], [0xC0, 0xAF]] {
            for (pre, post) in [("x = ", ""), ("x = \"", "\""), ("// ", ""), ("/* ", " */")] {
                let l = Lexer.lex(T.source(bytes: Array(pre.utf8) + bytes + Array(post.utf8)))
                XCTAssertEqual(T.codes(l.diagnostics), ["E0102"], "\(pre) \(bytes)")
                XCTAssertEqual(l.diagnostics.first?.span.startOffset, pre.utf8.count)
            }
        }
        // valid multi-byte text in strings and comments is fine
        XCTAssertEqual(T.lex("x = \"héllo 😀\" // ünïcode").diagnostics, [])
    }

    func testByteOrderMarkSkipped() {
        let l = Lexer.lex(T.source(bytes: [0xEF, 0xBB, 0xBF] + Array("nic a".utf8)))
        XCTAssertEqual(l.diagnostics, [])
        XCTAssertEqual(l.tokens.map(\.kind), [.kwNic, .identifier, .endOfFile])
        XCTAssertEqual(l.tokens[0].startOffset, 3)
    }

    func testCRLFIsOneNewline() {
        let l = T.lex("a\r\nb\r\n\r\nc")
        XCTAssertEqual(l.diagnostics, [])
        XCTAssertEqual(l.tokens.map(\.newlineBefore), [false, true, true, false])
        let lf = T.lex("a\nb")
        XCTAssertEqual(lf.tokens[1].newlineBefore, true)
    }

    // MARK: comments

    func testComments() {
        let l = T.lex("a // one\n/* two /* nested */ still */ b /**/")
        XCTAssertEqual(l.diagnostics, [])
        XCTAssertEqual(l.tokens.dropLast().map { l.text(of: $0) }, ["a", "b"])
        XCTAssertEqual(l.comments.map { String(decoding: l.bytes[$0.startOffset..<$0.endOffset], as: UTF8.self) },
                       ["// one", "/* two /* nested */ still */", "/**/"])
    }

    func testLineCommentSpanExcludesCR() {
        let l = T.lex("a // x\r\nb")
        XCTAssertEqual(l.comments.first?.length, 4)
    }

    func testBlockCommentWithNewlineSeparates() {
        let l = T.lex("a /* \n */ b")
        XCTAssertTrue(l.tokens[1].newlineBefore)
        XCTAssertFalse(T.lex("a /* x */ b").tokens[1].newlineBefore)
    }

    func testUnterminatedBlockComment() {
        let l = T.lex("a\n/* one /* two */\nb")
        XCTAssertEqual(T.codes(l.diagnostics), ["E0104"])
        XCTAssertEqual(l.diagnostics[0].span.startOffset, 2)
        XCTAssertEqual(l.tokens.map(\.kind), [.identifier, .endOfFile])
    }

    // MARK: strings

    func stringTexts(_ l: LexedFile) -> [String] { l.tokens.compactMap { l.stringText(of: $0) } }

    func testSimpleString() {
        let l = T.lex(#""hello""#)
        XCTAssertEqual(l.tokens.map(\.kind), [.stringStart, .stringText, .stringEnd, .endOfFile])
        XCTAssertEqual(stringTexts(l), ["hello"])
        XCTAssertEqual(T.kinds(#""""#), [.stringStart, .stringEnd])
    }

    func testEscapes() {
        let l = T.lex(#""a\"b\\c\nd\te\u{1F600}\u{41}""#)
        XCTAssertEqual(l.diagnostics, [])
        XCTAssertEqual(stringTexts(l), ["a\"b\\c\nd\te😀A"])
    }

    func testBadEscapes() {
        for text in [#""\q""#, #""\u{110000}""#, #""\u{}""#, #""\u{D800}""#, #""\u{123456789}""#, #""\$""#, #""\r""#] {
            let l = T.lex(text)
            XCTAssertEqual(T.codes(l.diagnostics), ["E0105"], text)
            XCTAssertEqual(l.diagnostics.first?.span.startOffset, 1, text)
        }
    }

    func testDollarSigns() {
        let l = T.lex(#""$6$rounds=4096$salt$ $${literal} $ $$""#)
        XCTAssertEqual(l.diagnostics, [])
        XCTAssertEqual(stringTexts(l), ["$6$rounds=4096$salt$ ${literal} $ $$"])
    }

    func testInterpolation() {
        let l = T.lex(#""web-${i + 1}-x""#)
        XCTAssertEqual(l.tokens.map(\.kind), [.stringStart, .stringText, .interpolationStart, .identifier, .plus, .integer,
                                              .interpolationEnd, .stringText, .stringEnd, .endOfFile])
        XCTAssertEqual(stringTexts(l), ["web-", "-x"])
    }

    func testNestedInterpolation() {
        let l = T.lex(#""a${ "b${ {k = "}"}.k }c" }d""#)
        XCTAssertEqual(l.diagnostics, [])
        XCTAssertEqual(stringTexts(l), ["a", "b", "}", "c", "d"])
        XCTAssertEqual(l.tokens.filter { $0.kind == .interpolationEnd }.count, 2)
    }

    func testUnterminatedString() {
        let l = T.lex("a = \"abc\nb = 1")
        XCTAssertEqual(T.codes(l.diagnostics), ["E0103"])
        XCTAssertEqual(l.diagnostics[0].span.startOffset, 4)
        XCTAssertEqual(l.tokens.map(\.kind), [.identifier, .assign, .stringStart, .stringText, .stringEnd,
                                              .identifier, .assign, .integer, .endOfFile])
        XCTAssertTrue(l.tokens[4].isSynthetic)
        XCTAssertTrue(l.tokens[5].newlineBefore)
    }

    func testUnterminatedStringAtEOF() {
        for text in ["\"abc", "\"", "\"${x", "\"${", "\"\"\"\nabc", "\"\"\"\n${x"] {
            let l = T.lex(text)
            XCTAssertEqual(T.codes(l.diagnostics), ["E0103"], text)
            XCTAssertEqual(l.diagnostics[0].span.startOffset, 0)
            XCTAssertEqual(l.tokens.last?.kind, .endOfFile)
        }
    }

    func testUnterminatedInterpolationEndsAtLine() {
        let l = T.lex("a = \"${x\nb = 2")
        XCTAssertEqual(T.codes(l.diagnostics), ["E0103"])
        XCTAssertEqual(l.tokens.suffix(4).map(\.kind), [.identifier, .assign, .integer, .endOfFile])
    }

    // MARK: multi-line strings

    func testMultilineBasic() {
        let text = "x = \"\"\"\n    line one\n      indented\n\n    last\n    \"\"\""
        let l = T.lex(text)
        XCTAssertEqual(l.diagnostics, [])
        XCTAssertEqual(stringTexts(l), ["line one\n", "  indented\n", "\n", "last"])
        // each text token's span starts after the removed indentation
        let first = l.tokens.first { $0.kind == .stringText }!
        XCTAssertEqual(l.text(of: first), "line one\n")
    }

    func testMultilineEmptyAndTrailingNewline() {
        XCTAssertEqual(stringTexts(T.lex("\"\"\"\n\"\"\"")), [])
        XCTAssertEqual(stringTexts(T.lex("\"\"\"\n  a\n\n  \"\"\"")), ["a\n", ""])
    }

    func testMultilineEscapesAndInterpolation() {
        let l = T.lex("\"\"\"\n  a \\\"\"\" ${x} \\t\n  ${y}\n  \"\"\"")
        XCTAssertEqual(l.diagnostics, [])
        XCTAssertEqual(stringTexts(l), ["a \"\"\" ", " \t\n", "", ""], "a line starting with `${` has an empty text first")
        XCTAssertEqual(l.tokens.filter { $0.kind == .interpolationStart }.count, 2)
    }

    func testMultilineQuotesInside() {
        XCTAssertEqual(stringTexts(T.lex("\"\"\"\n say \"hi\" and \"\"\n \"\"\"")), ["say \"hi\" and \"\""])
    }

    func testMultilineLineContinuation() {
        XCTAssertEqual(stringTexts(T.lex("\"\"\"\n  a \\\n  b\n  \"\"\"")).joined(), "a b")
        // as in Swift, not on the last line
        let l = T.lex("\"\"\"\n  a \\\n  \"\"\"")
        XCTAssertEqual(T.codes(l.diagnostics), ["E0111"])
        XCTAssertEqual(l.diagnostics.first?.span.startOffset, 8)
    }

    func testMultilineCRLF() {
        let l = T.lex("\"\"\"\r\n  a\r\n  b\r\n  \"\"\"")
        XCTAssertEqual(l.diagnostics, [])
        XCTAssertEqual(stringTexts(l), ["a\n", "b"])
    }

    func testMultilineEmptyLinesNeedNoIndentation() {
        let l = T.lex("\"\"\"\n    a\n\n    b\n      \n    \"\"\"")
        XCTAssertEqual(l.diagnostics, [])
        XCTAssertEqual(stringTexts(l), ["a\n", "\n", "b\n", "  "])
        // as in Swift, a line of blanks shorter than the indentation is an error
        XCTAssertEqual(T.codes(T.lex("\"\"\"\n    a\n  \n    b\n    \"\"\"").diagnostics), ["E0111"])
    }

    func testMultilineInsufficientIndentation() {
        let text = "x = \"\"\"\n    ok\n  bad\n bad too\n    \"\"\""
        let l = T.lex(text)
        XCTAssertEqual(T.codes(l.diagnostics), ["E0111"], "reported once per string")
        let src = T.source(text)
        XCTAssertEqual(T.lineCol(l.diagnostics[0].span, in: src), "3:1")
        XCTAssertEqual(l.diagnostics[0].notes.count, 1)
        // a tab where the closing line has spaces is not the same indentation
        XCTAssertEqual(T.codes(T.lex("\"\"\"\n\ta\n  \"\"\"").diagnostics), ["E0111"])
        XCTAssertTrue(T.lex("\"\"\"\n\t\ta\n  \"\"\"").diagnostics.first?.message.contains("tabs and spaces") ?? false)
        // a line starting with an interpolation is checked as well
        XCTAssertEqual(T.codes(T.lex("\"\"\"\n${a}\n  \"\"\"").diagnostics), ["E0111"])
    }

    func testMultilineLayoutErrors() {
        XCTAssertEqual(T.codes(T.lex("\"\"\"abc\n\"\"\"").diagnostics), ["E0111"])
        XCTAssertEqual(T.codes(T.lex("\"\"\"abc\"\"\"").diagnostics), ["E0111"])
        XCTAssertEqual(T.codes(T.lex("\"\"\"\n  abc \"\"\"").diagnostics), ["E0111"])
        // as in Swift, not even trailing blanks after the opening delimiter; the string is still read
        let l = T.lex("\"\"\"  \n a\n \"\"\"")
        XCTAssertEqual(T.codes(l.diagnostics), ["E0111"])
        XCTAssertEqual(stringTexts(l), ["a"])
    }

    func testInterpolationNestingLimit() {
        var text = ""
        for _ in 0..<10_000 { text += "\"${" }
        let l = T.lex(text)
        XCTAssertEqual(T.codes(l.diagnostics), ["E0112"])
        XCTAssertEqual(l.tokens.last?.kind, .endOfFile)
        // still balanced for the parser
        let opens = l.tokens.filter { $0.kind == .stringStart }.count
        XCTAssertEqual(opens, l.tokens.filter { $0.kind == .stringEnd }.count)
    }

    func testTokensAreContiguousAndOrdered() {
        let text = "vm \"web-${i}\" { memory = 4Gi, nic a on b { address = 10.0.0.1/24 } } // c"
        let l = T.lex(text)
        var last = 0
        for t in l.tokens {
            XCTAssertGreaterThanOrEqual(t.startOffset, last)
            XCTAssertGreaterThanOrEqual(t.endOffset, t.startOffset)
            last = t.endOffset
        }
    }
}
