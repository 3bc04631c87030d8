import Testing
@testable import Kafka

/// ``ProducerStateMachine``: which client takes records through failures,
/// replacements and shutdown.
@Suite struct ProducerStateMachineTests {
    final class Client {}

    @Test func recordsGoToTheCurrentClientUntilDraining() {
        let client = Client()
        var machine = ProducerStateMachine(client: client)
        #expect(machine.clientForSend === client)
        let began = machine.beginDraining()
        #expect(began)
        #expect(machine.clientForSend == nil)
        #expect(machine.clientToPoll == nil)
        let beganAgain = machine.beginDraining()
        #expect(!beganAgain, "draining begins once")
        machine.finish()
        #expect(machine.state == .finished)
    }

    @Test func aFailedClientIsReplacedAndRetired() {
        let (first, second) = (Client(), Client())
        var machine = ProducerStateMachine(client: first)
        machine.failed(first, reason: "fenced")
        #expect(machine.state == .replacing(reason: "fenced"))
        #expect(machine.replacementReason == "fenced")
        #expect(machine.clientForSend === first, "records sent meanwhile fail on the old client")

        let now = ContinuousClock.now
        machine.replaced(with: second, at: now)
        #expect(machine.state == .running)
        #expect(machine.clientForSend === second)
        #expect(machine.retired.map(\.client).count == 1)
        #expect(machine.retired.first?.client === first)
    }

    @Test func onlyTheCurrentClientsFailureAsksForAReplacement() {
        let (first, second) = (Client(), Client())
        var machine = ProducerStateMachine(client: first)
        machine.failed(first, reason: "fatal")
        machine.replaced(with: second, at: .now)
        machine.failed(first, reason: "a late delivery report of the old client")
        #expect(machine.state == .running)
        machine.replaced(with: Client(), at: .now)
        #expect(machine.clientForSend === second, "no replacement without a failure")
    }

    @Test func aRetiredClientIsPurgedUntilItHasHeldNothingForTheGracePeriod() {
        let (first, second) = (Client(), Client())
        var machine = ProducerStateMachine(client: first)
        machine.failed(first, reason: "fatal")
        let replacedAt = ContinuousClock.now
        machine.replaced(with: second, at: replacedAt)

        let soon = replacedAt.advanced(by: .seconds(1))
        #expect(machine.retiredToPurge(at: soon, grace: .seconds(30)) { _ in true }.count == 1)
        let later = replacedAt.advanced(by: .seconds(31))
        #expect(machine.retiredToPurge(at: later, grace: .seconds(30)) { _ in false }.count == 1, "still holds records")
        #expect(machine.retiredToPurge(at: later, grace: .seconds(30)) { _ in true }.isEmpty)
        #expect(machine.retired.isEmpty)
    }

    @Test func shutdownWhileReplacingDrainsAndIgnoresTheReplacement() {
        let first = Client()
        var machine = ProducerStateMachine(client: first)
        machine.failed(first, reason: "fatal")
        let began = machine.beginDraining()
        #expect(began)
        machine.replaced(with: Client(), at: .now)
        #expect(machine.state == .draining)
        #expect(machine.current === first)
        #expect(machine.replacementReason == nil)
    }
}
