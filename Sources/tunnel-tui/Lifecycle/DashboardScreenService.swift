import TunnelManager

/// The dashboard's screen as a service: it runs until the user quits or a signal arrives (the runtime takes
/// SIGINT, SIGTERM and SIGHUP itself, and a lost terminal), and its end makes the ``ServiceGroup`` stop the
/// supervisor's services, last first.
///
/// It does not end on the group's own request to stop: the screen is the last service and the others end
/// only when it does (their stops never fail), so nothing asks it.
struct DashboardScreenService: Service {
    let name = "dashboard screen"
    let runtime: DashboardRuntime

    /// Shows the dashboard until it is left.
    func run() async {
        await runtime.run(on: NcursesTerminal())
    }
}
