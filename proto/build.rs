//! Compiles `proto/ember.proto` with protox (pure Rust), so no system `protoc` is needed.

fn main() -> Result<(), Box<dyn std::error::Error>> {
    println!("cargo:rerun-if-changed=proto/ember.proto");
    let fds = protox::compile(["proto/ember.proto"], ["proto"])?;
    tonic_prost_build::configure()
        .bytes(".ember.v1.LaunchTaskRequest.plan")
        .bytes(".ember.v1.ShuffleChunk.data")
        .compile_fds(fds)?;
    Ok(())
}
