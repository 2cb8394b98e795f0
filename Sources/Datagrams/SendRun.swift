import Endpoints
import NIOCore
import NIOPosix
import Rendering
#if canImport(Glibc)
import Glibc
#endif

/// One udp-send run on a connected socket: the datagrams in one of three ways (unpaced batches,
/// paced batches, one at a time), then a short linger for a late ICMP error.
struct SendRun {
    let options: UDPSendOptions
    let plan: PayloadPlan
    let remote: SocketAddress
    let destination: Endpoint
    let start: ContinuousClock.Instant
    let channel: Channel
    let watch: PortUnreachableWatch
    let narrator: Narrator

    /// How long the socket stays open after the last datagram when no reply is awaited: an ICMP
    /// port unreachable for it comes back within microseconds on loopback and within a round
    /// trip elsewhere, and only an open socket hears of it.
    static let linger = Duration.milliseconds(100)

    /// Above 1,000 datagrams/s a sleep per datagram costs more than the gap it waits for (a
    /// timer, a task switch, a flush each time): the datagrams that are due go out together,
    /// once a millisecond, so the average rate holds while each wake-up carries many.
    static let batchPeriod = Duration.milliseconds(1)

    /// Sends the plan, counting into `summary` as datagrams leave, so a failed send still leaves
    /// the count of those that went out.
    func send(inbound: NIOAsyncChannelInboundStream<AddressedEnvelope<ByteBuffer>>, ipv6: Bool, summary: inout SendSummary,
              onPortUnreachable: (PortUnreachable) -> Void, onReply: (ReceivedDatagram) -> Void) async throws {
        // Payloads become ByteBuffers once and are written again and again without copies.
        // A repeated payload gets several copies (up to 4 MiB), so neighbouring datagrams
        // do not share one buffer whose reference count both threads would fight over.
        let copies = plan.payloads.count == 1 ? max(1, min(256, (4 << 20) / max(1, plan.payloads[0].count))) : 1
        let envelopes = (0..<copies).flatMap { _ in
            plan.payloads.map { AddressedEnvelope(remoteAddress: remote, data: ByteBuffer(bytes: $0)) }
        }
        // Unpaced, reply-less sends go out in batches: NIO writes a batch with a few
        // sendmmsg(2) calls instead of one syscall per datagram.
        if options.interval == nil && !options.waitReply && !narrator.isEnabled {
            let segments = options.segmentation ? try await segmentsPerSend(ipv6: ipv6) : 1
            return try await sendUnpaced(buffers: envelopes.map(\.data), segments: segments, summary: &summary)
        }
        if let interval = options.interval, interval < Self.batchPeriod, !options.waitReply, !narrator.isEnabled {
            return try await sendPacedInBatches(envelopes: envelopes, interval: interval, summary: &summary)
        }
        var replies: NIOAsyncChannelInboundStream<AddressedEnvelope<ByteBuffer>>.AsyncIterator?
        for index in 0..<plan.total {
            if index > 0, let interval = options.interval {
                try await Task.sleep(until: start + interval * index, clock: .continuous)
            }
            report(into: &summary, onPortUnreachable)
            let envelope = envelopes[index % envelopes.count]
            watch.sending(upTo: index + 1)
            // Written on the channel itself, so a refused send (EPERM) fails this very write.
            try await channel.writeAndFlush(envelope).get()
            summary.datagrams += 1
            summary.bytes += envelope.data.readableBytes
            narrator.step("send(\(envelope.data.readableBytes) bytes) → \(destination)",
                          "one datagram left; if it is lost nobody retries it, and no acknowledgement will come")
            guard options.waitReply else { continue }
            if replies == nil { replies = inbound.makeAsyncIterator() }
            let reply: ReceivedDatagram
            do {
                reply = try await nextReply(&replies!, number: summary.replies + 1)
            } catch where PortUnreachable.matches(error) {
                break  // the watch has it; the reply stream ended with it
            }
            summary.replies += 1
            narrator.step("recv() → \(reply.size) bytes from \(reply.from)", "the reply is just another datagram that happened to come back")
            onReply(reply)
        }
    }

    /// Keeps the socket open `linger` after the last datagram (not with --wait-reply: the reply
    /// wait did that), then reports the port unreachables not reported yet.
    func linger(summary: inout SendSummary, onPortUnreachable: (PortUnreachable) -> Void) async throws {
        if !options.waitReply && channel.isActive {
            narrator.step("poll(\(DurationText.compact(Self.linger)))",
                          "the socket stays open a moment after the last datagram: an ICMP port unreachable for it "
                              + "reaches only an open socket")
            try await Task.sleep(for: Self.linger)
        }
        report(into: &summary, onPortUnreachable)
    }

    /// Hands on the port unreachables the watch noticed since the last call.
    private func report(into summary: inout SendSummary, _ onPortUnreachable: (PortUnreachable) -> Void) {
        for refusal in watch.takeNew() {
            summary.portUnreachable.append(refusal)
            narrator.step(refusal.sendFailed ? "send() → ECONNREFUSED" : "recv() → ECONNREFUSED",
                          "an ICMP port unreachable came back after datagram \(refusal.afterDatagram): nothing listens on "
                              + "\(destination)/udp. The kernel hands it to a connected socket as an error"
                              + (refusal.sendFailed ? "; this send failed with it, and the socket is closed" : ""))
            onPortUnreachable(refusal)
        }
    }

    private func sendPacedInBatches(envelopes: [AddressedEnvelope<ByteBuffer>], interval: Duration, summary: inout SendSummary) async throws {
        while summary.datagrams < plan.total {
            let sent = summary.datagrams
            let due = min(plan.total, Int((ContinuousClock.now - start) / interval) + 1)
            if due > sent {
                watch.sending(upTo: due)
                var bytes = 0
                for index in sent..<(due - 1) {
                    channel.write(envelopes[index % envelopes.count], promise: nil)
                    bytes += envelopes[index % envelopes.count].data.readableBytes
                }
                // The batch's last write is waited for: a refused send (EPERM) fails it, and the
                // next batch starts only once this one reached the socket.
                let last = envelopes[(due - 1) % envelopes.count]
                try await channel.writeAndFlush(last).get()
                summary.bytes += bytes + last.data.readableBytes
                summary.datagrams = due
            }
            if summary.datagrams < plan.total {
                try await Task.sleep(until: max(start + interval * summary.datagrams, .now + Self.batchPeriod), clock: .continuous)
            }
        }
    }

    /// Unpaced, reply-less sending. Writes go to the channel on its event loop a batch at a time,
    /// the next batch once the last one has reached the socket: the async writer's per-datagram
    /// hand-off cost more than the sendmmsg(2) calls NIO makes for a batch.
    /// With `segments` > 1, each write carries that many copies of the one payload and the kernel
    /// cuts it into separate datagrams (UDP generic segmentation offload), one trip down the stack
    /// for up to 64 datagrams.
    private func sendUnpaced(buffers: [ByteBuffer], segments: Int, summary: inout SendSummary) async throws {
        let channel = self.channel, remote = self.remote
        if segments > 1 {
            let payload = buffers[0], size = payload.readableBytes
            var joined = ByteBuffer()
            joined.reserveCapacity(segments * size)
            for _ in 0..<segments { joined.writeImmutableBuffer(payload) }
            let block = joined
            while summary.datagrams < plan.total {
                let count = min(segments * 64, plan.total - summary.datagrams)
                watch.sending(upTo: summary.datagrams + count)
                let batch = channel.eventLoop.flatSubmit {
                    var left = count
                    while true {
                        let carried = min(segments, left)
                        left -= carried
                        let envelope = AddressedEnvelope(
                            remoteAddress: remote, data: block.getSlice(at: block.readerIndex, length: carried * size)!,
                            metadata: .init(ecnState: .transportNotCapable, packetInfo: nil, segmentSize: size))
                        if left == 0 { return channel.writeAndFlush(envelope) }
                        channel.write(envelope, promise: nil)
                    }
                }
                do {
                    try await batch.get()
                } catch let error as IOError where summary.datagrams == 0 && [EIO, EINVAL].contains(error.errnoCode) {
                    // The kernel refuses GSO on some paths (IPsec, a lowered MTU); the first
                    // batch fails whole, before any datagram left.
                    throw SegmentationRefused()
                }
                summary.datagrams += count
                summary.bytes += count * size
            }
            return
        }
        // Plain ByteBuffers: the socket is connected, and NIOAny holds a ByteBuffer inline
        // where an AddressedEnvelope would be boxed once per write.
        while summary.datagrams < plan.total {
            let first = summary.datagrams, count = min(1024, plan.total - first)
            watch.sending(upTo: first + count)
            try await channel.eventLoop.flatSubmit {
                for offset in first..<(first + count - 1) {
                    channel.write(buffers[offset % buffers.count], promise: nil)
                }
                return channel.writeAndFlush(buffers[(first + count - 1) % buffers.count])
            }.get()
            for offset in first..<(first + count) { summary.bytes += buffers[offset % buffers.count].readableBytes }
            summary.datagrams += count
        }
    }

    /// How many datagrams one send may carry with UDP_SEGMENT: only for many copies of one
    /// payload whose datagrams each fit the path MTU unfragmented (the kernel refuses a segment
    /// that would need fragments), at most 64 per send and 65,000 bytes in all. 1 means no GSO.
    private func segmentsPerSend(ipv6: Bool) async throws -> Int {
        guard System.supportsUDPSegmentationOffload, plan.payloads.count == 1, plan.total > 1 else { return 1 }
        let option = ipv6 ? ChannelOptions.Types.SocketOption(level: .ipv6, name: .init(rawValue: IPV6_MTU))
            : ChannelOptions.Types.SocketOption(level: .ip, name: .init(rawValue: IP_MTU))
        guard let mtu = try? await channel.getOption(option).get() else { return 1 }
        return Payload.segmentsPerSend(size: plan.payloads[0].count, pathMTU: Int(mtu), ipv6: ipv6)
    }

    /// Waits for one datagram or the timeout; an ICMP port unreachable ends the wait with ECONNREFUSED.
    /// `number` is the reply's place in the run (its `seq`).
    private func nextReply(_ replies: inout NIOAsyncChannelInboundStream<AddressedEnvelope<ByteBuffer>>.AsyncIterator,
                           number: Int) async throws -> ReceivedDatagram {
        let iterator = IteratorBox(replies)
        defer { replies = iterator.iterator }
        let timeout = options.timeout
        let reply = try await withThrowingTaskGroup(of: ReceivedDatagram?.self) { group in
            group.addTask { try await iterator.next().map { UDPReceiver.datagram($0, payload: $0.data, sequence: number) } }
            group.addTask {
                try await Task.sleep(for: timeout)
                return nil
            }
            let first = try await group.next() ?? nil
            group.cancelAll()
            return first
        }
        guard let reply else { throw UDPError.timedOut(destination, timeout) }
        return reply
    }
}

/// Lets the reply wait run in a child task while the iterator stays owned by one place.
private final class IteratorBox: @unchecked Sendable {
    var iterator: NIOAsyncChannelInboundStream<AddressedEnvelope<ByteBuffer>>.AsyncIterator

    init(_ iterator: NIOAsyncChannelInboundStream<AddressedEnvelope<ByteBuffer>>.AsyncIterator) {
        self.iterator = iterator
    }

    func next() async throws -> AddressedEnvelope<ByteBuffer>? {
        try await iterator.next()
    }
}
