import Testing
@testable import ReadModel

@Suite("Migration files split into single statements")
struct SQLScriptTests {
    @Test("statements split on semicolons; comment-only pieces are dropped")
    func splits() {
        let script = """
            -- a comment; with a semicolon
            CREATE TABLE a (x int);
            CREATE TABLE b (y text DEFAULT 'a;b');
            -- trailing comment
            """
        #expect(SQLScript.statements(in: script) == [
            "-- a comment; with a semicolon\nCREATE TABLE a (x int)",
            "CREATE TABLE b (y text DEFAULT 'a;b')",
        ])
    }

    @Test("semicolons in identifiers, block comments and dollar quotes do not split")
    func quoting() {
        let script = """
            CREATE TABLE "we;ird" (x int); /* one; two */ SELECT 1;
            CREATE FUNCTION f() RETURNS int AS $body$ SELECT 1; SELECT 2; $body$ LANGUAGE sql;
            SELECT $$a;b$$
            """
        let statements = SQLScript.statements(in: script)
        #expect(statements.count == 4)
        #expect(statements[0] == #"CREATE TABLE "we;ird" (x int)"#)
        #expect(statements[1] == "/* one; two */ SELECT 1")
        #expect(statements[2].hasSuffix("$body$ SELECT 1; SELECT 2; $body$ LANGUAGE sql"))
        #expect(statements[3] == "SELECT $$a;b$$")
    }

    @Test("doubled quotes inside strings stay inside")
    func doubledQuotes() {
        #expect(SQLScript.statements(in: "SELECT 'it''s; fine'; SELECT 2") == ["SELECT 'it''s; fine'", "SELECT 2"])
    }
}
