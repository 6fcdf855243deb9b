#if canImport(Glibc)
import Glibc
#endif

/// An operating-system thread that runs one closure and ends with it: the event loop's thread and the few
/// readers that block in `recv`. (Foundation's `Thread` would link all of Foundation, and ICU with it, into
/// the binary: 45 MB and 2 MB of resident memory for this.)
public enum DetachedThread {
    /// Starts `body` on a new detached thread with `stackSize` bytes of stack (0: the system's default).
    public static func start(stackSize: Int = 0, _ body: @escaping @Sendable () -> Void) {
        let context = Unmanaged.passRetained(Body(body)).toOpaque()
        var attributes = pthread_attr_t()
        pthread_attr_init(&attributes)
        defer { pthread_attr_destroy(&attributes) }
        pthread_attr_setdetachstate(&attributes, Int32(PTHREAD_CREATE_DETACHED))
        if stackSize > 0 { pthread_attr_setstacksize(&attributes, stackSize) }
        var thread = pthread_t()
        let result = pthread_create(&thread, &attributes, { context in
            guard let context else { return nil }
            Unmanaged<Body>.fromOpaque(context).takeRetainedValue().run()
            return nil
        }, context)
        if result != 0 {
            Unmanaged<Body>.fromOpaque(context).release()
            fatalError("cannot start a thread: \(String(cString: strerror(result)))")
        }
    }

    /// The closure, boxed to cross `pthread_create`'s `void *`.
    private final class Body: Sendable {
        let run: @Sendable () -> Void
        init(_ run: @escaping @Sendable () -> Void) { self.run = run }
    }
}
