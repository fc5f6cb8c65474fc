package org.flowgate.testsupport.netns;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Real kernel sockets at the ends of a {@link Topology}: small python3 programs run in a host
 * namespace ({@code ip netns exec}). Servers are started and have printed {@code ready} when they
 * are returned; each program prints its result as one line.
 */
public final class Traffic {
    private Traffic() {}

    /** One program of {@link #SCRIPT} that runs; closing it kills it. */
    public static final class Peer implements AutoCloseable {
        private final Process process;
        private final BufferedReader out;
        private final String what;

        private Peer(String what, Process process) {
            this.what = what;
            this.process = process;
            this.out = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8));
        }

        /** Its next line of output; null once it ended. */
        public String line() {
            try {
                return out.readLine();
            } catch (IOException e) {
                throw new UncheckedIOException(what, e);
            }
        }

        /** Closes its standard input (a held TCP sender then closes its connection). */
        public void closeInput() {
            try {
                process.getOutputStream().close();
            } catch (IOException e) {
                throw new UncheckedIOException(what, e);
            }
        }

        /** Waits for it to end; its exit code, or -1 after {@code seconds}. */
        public int await(long seconds) throws InterruptedException {
            return process.waitFor(seconds, TimeUnit.SECONDS) ? process.exitValue() : -1;
        }

        public Process process() { return process; }

        @Override
        public void close() { process.destroyForcibly(); }

        @Override
        public String toString() { return what; }
    }

    /** UDP echo on {@code port}: each datagram goes back to its sender, whose address is printed. */
    public static Peer udpEcho(String ns, int port) { return server(ns, "udp-echo", Integer.toString(port)); }

    /**
     * Sends {@code message} to {@code dst:port} over UDP until an answer comes (5 tries, 1 s
     * each); returns the answer, or the empty string.
     */
    public static String udpAsk(String ns, String dst, int port, String message) { return ask(start(ns, "udp-ask", dst, Integer.toString(port), message)); }

    /**
     * {@link #udpAsk(String, String, int, String)} from source port {@code srcPort}: successive
     * calls with the same ports are one UDP connection for conntrack.
     */
    public static String udpAsk(String ns, int srcPort, String dst, int port, String message) {
        return ask(start(ns, "udp-ask", dst, Integer.toString(port), message, Integer.toString(srcPort)));
    }

    private static String ask(Peer p) {
        try {
            String l = p.line();
            p.await(10);
            return l == null ? "" : l;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return "";
        } finally {
            p.close();
        }
    }

    /**
     * TCP sink on {@code port}: accepts one connection, reads until EOF (or {@code bytes}, when
     * above 0), prints {@code <peer address> <bytes read>}, answers the sender
     * {@code ok <peer address> <bytes read>} and waits for it to close.
     */
    public static Peer tcpSink(String ns, int port, long bytes) { return server(ns, "tcp-sink", Integer.toString(port), Long.toString(bytes)); }

    /**
     * Sends {@code bytes} to {@code dst:port} over TCP in {@code chunk}-byte writes {@code delayMs}
     * apart, then prints the sink's answer line. With {@code hold} the connection stays open until
     * {@link Peer#closeInput()}; otherwise it is closed right after the answer.
     */
    public static Peer tcpSend(String ns, String dst, int port, long bytes, int chunk, int delayMs, boolean hold) {
        return start(ns, "tcp-send", dst, Integer.toString(port), Long.toString(bytes), Integer.toString(chunk), Integer.toString(delayMs), hold ? "hold" : "close");
    }

    /**
     * A TCP transfer and a UDP ping-pong at once: {@code rounds} times, {@code chunk} bytes to
     * {@code dst:tcpPort} and one 64-byte datagram to {@code dst:udpPort} (an echo), {@code delayMs}
     * apart; then closes TCP and prints {@code udp <echoes received>}.
     */
    public static Peer tcpAndUdp(String ns, String dst, int tcpPort, int udpPort, int rounds, int chunk, int delayMs) {
        return start(ns, "mixed", dst, Integer.toString(tcpPort), Integer.toString(udpPort), Integer.toString(rounds), Integer.toString(chunk), Integer.toString(delayMs));
    }

    /**
     * IPv4 UDP counter on {@code port}: takes datagrams until {@code count} different ones of
     * {@link #udpStream} came or {@code timeoutSeconds} passed, then prints
     * {@code received <n> ttl <ttl of the last one>}.
     */
    public static Peer udpCounter(String ns, int port, int count, int timeoutSeconds) {
        return server(ns, "udp-count", Integer.toString(port), Integer.toString(count), Integer.toString(timeoutSeconds));
    }

    /** Sends {@code count} numbered datagrams to {@code dst:port}, 2 ms apart; its exit code. */
    public static int udpStream(String ns, String dst, int port, int count) throws InterruptedException {
        try (Peer p = start(ns, "udp-stream", dst, Integer.toString(port), Integer.toString(count))) {
            return p.await(30 + count / 100);
        }
    }

    /**
     * Sends {@code count} 18-byte datagrams from {@code srcPort} to {@code dst:port} (an
     * {@link #udpEcho}) as fast as it can, then counts the echoes until two seconds pass without
     * one; returns that count. Both ends have 4 MiB receive buffers: a burst is not lost in them.
     */
    public static int udpBurst(String ns, int srcPort, String dst, int port, int count) {
        String out = ask(start(ns, "udp-burst", dst, Integer.toString(port), Integer.toString(count), Integer.toString(srcPort))).trim();
        if (!out.matches("\\d+")) throw new IllegalStateException("udp-burst in " + ns + ": " + out);
        return Integer.parseInt(out);
    }

    private static Peer server(String ns, String... args) {
        Peer p = start(ns, args);
        String ready = p.line();
        if (!"ready".equals(ready)) {
            p.close();
            throw new IllegalStateException(p + " did not start: " + ready);
        }
        return p;
    }

    private static Peer start(String ns, String... args) {
        List<String> cmd = new ArrayList<>(List.of("ip", "netns", "exec", ns, "python3", "-u", script().toString()));
        cmd.addAll(List.of(args));
        try {
            return new Peer(String.join(" ", args) + " in " + ns, new ProcessBuilder(cmd).redirectErrorStream(true).start());
        } catch (IOException e) {
            throw new UncheckedIOException("cannot run python3 in " + ns, e);
        }
    }

    private static Path script;

    private static synchronized Path script() {
        if (script == null) {
            try {
                Path p = Files.createTempFile("flowgate-traffic", ".py");
                Files.writeString(p, SCRIPT);
                p.toFile().deleteOnExit();
                script = p;
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
        return script;
    }

    static final String SCRIPT = """
            import socket, sys, time
            cmd, a = sys.argv[1], sys.argv[2:]
            SO_RCVBUFFORCE = 33
            def bigbuffer(s):
                try:
                    s.setsockopt(socket.SOL_SOCKET, SO_RCVBUFFORCE, 4 << 20)
                except OSError:
                    pass
            def bound(kind, port):
                # IPv4 and IPv6 on one socket; IPv4 only where the namespace has IPv6 off
                try:
                    s = socket.socket(socket.AF_INET6, kind)
                    s.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_V6ONLY, 0)
                    s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
                    s.bind(('::', port))
                except OSError:
                    s = socket.socket(socket.AF_INET, kind)
                    s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
                    s.bind(('0.0.0.0', port))
                if kind == socket.SOCK_DGRAM: bigbuffer(s)
                return s
            if cmd == 'udp-echo':
                u = bound(socket.SOCK_DGRAM, int(a[0]))
                print('ready')
                while True:
                    d, peer = u.recvfrom(65535)
                    print(peer[0].removeprefix('::ffff:'))
                    u.sendto(d, peer)
            elif cmd == 'udp-ask':
                dst, port, msg = a[0], int(a[1]), a[2].encode()
                u = socket.socket(socket.AF_INET6 if ':' in dst else socket.AF_INET, socket.SOCK_DGRAM)
                if len(a) > 3:
                    u.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
                    u.bind(('', int(a[3])))
                u.settimeout(1)
                for i in range(5):
                    u.sendto(msg, (dst, port))
                    try:
                        print(u.recvfrom(65535)[0].decode()); break
                    except socket.timeout:
                        pass
            elif cmd == 'udp-burst':
                dst, port, count, src = a[0], int(a[1]), int(a[2]), int(a[3])
                u = socket.socket(socket.AF_INET6 if ':' in dst else socket.AF_INET, socket.SOCK_DGRAM)
                bigbuffer(u)
                u.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
                u.bind(('', src)); u.settimeout(2)
                for i in range(count): u.sendto(b'x' * 18, (dst, port))
                got = 0
                try:
                    while True:
                        u.recv(2048); got += 1
                except socket.timeout:
                    pass
                print(got)
            elif cmd == 'tcp-sink':
                s = bound(socket.SOCK_STREAM, int(a[0])); s.listen(1)
                limit = int(a[1])
                print('ready')
                c, peer = s.accept(); n = 0
                while limit <= 0 or n < limit:
                    d = c.recv(65536)
                    if not d: break
                    n += len(d)
                host = peer[0].removeprefix('::ffff:')
                print(host, n)
                c.sendall(('ok %s %d\\n' % (host, n)).encode())
                while c.recv(65536): pass
                c.close()
            elif cmd == 'tcp-send':
                dst, port, total, chunk, delay, hold = a[0], int(a[1]), int(a[2]), int(a[3]), int(a[4]) / 1000.0, a[5] == 'hold'
                c = socket.create_connection((dst, port), timeout=20)
                sent = 0
                while sent < total:
                    n = min(chunk, total - sent)
                    c.sendall(bytes(n)); sent += n
                    if delay: time.sleep(delay)
                if not hold: c.shutdown(socket.SHUT_WR)
                print(c.makefile().readline().strip())
                if hold: sys.stdin.read()
                c.close()
            elif cmd == 'mixed':
                dst, tport, uport, rounds, chunk, delay = a[0], int(a[1]), int(a[2]), int(a[3]), int(a[4]), int(a[5]) / 1000.0
                s = socket.create_connection((dst, tport), timeout=10)
                u = socket.socket(socket.AF_INET6 if ':' in dst else socket.AF_INET, socket.SOCK_DGRAM); u.settimeout(2)
                got = 0
                for i in range(rounds):
                    s.sendall(b'x' * chunk)
                    u.sendto(b'p' * 64, (dst, uport))
                    try:
                        u.recvfrom(2000); got += 1
                    except socket.timeout:
                        pass
                    time.sleep(delay)
                s.close()
                print('udp', got)
            elif cmd == 'udp-count':
                IP_TTL, IP_RECVTTL = 2, 12   # <linux/in.h>; Python does not name them all
                port, count, timeout = int(a[0]), int(a[1]), float(a[2])
                u = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
                u.setsockopt(socket.IPPROTO_IP, IP_RECVTTL, 1)
                u.bind(('0.0.0.0', port))
                print('ready')
                seen, ttl = set(), -1
                deadline = time.monotonic() + timeout
                while len(seen) < count and deadline > time.monotonic():
                    u.settimeout(deadline - time.monotonic())
                    try:
                        d, anc, _, _ = u.recvmsg(2048, socket.CMSG_SPACE(4))
                    except socket.timeout:
                        break
                    if d.startswith(b'flowgate '): seen.add(d)
                    for level, kind, value in anc:
                        if level == socket.IPPROTO_IP and kind == IP_TTL: ttl = int.from_bytes(value[:4], sys.byteorder)
                print('received %d ttl %d' % (len(seen), ttl))
            elif cmd == 'udp-stream':
                dst, port, count = a[0], int(a[1]), int(a[2])
                u = socket.socket(socket.AF_INET6 if ':' in dst else socket.AF_INET, socket.SOCK_DGRAM)
                for i in range(count):
                    u.sendto(b'flowgate %06d' % i, (dst, port))
                    time.sleep(0.002)
            else:
                sys.exit('unknown command ' + cmd)
            """;
}
