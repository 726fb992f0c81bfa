fn main() -> std::process::ExitCode {
    mcpcfg::main()
}
