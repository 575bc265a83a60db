//! The host's HTTP server over loopback: requests are served, the client address reaches the
//! component, concurrent connections are served, and a component may call back into the app
//! over real outbound HTTP when its allowed hosts permit it.

mod support;

use std::net::SocketAddr;

use support::*;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

/// Sends one HTTP/1.1 request over a fresh connection; returns status line and body.
async fn raw_get(addr: SocketAddr, path: &str) -> (String, String) {
    let mut stream = TcpStream::connect(addr).await.unwrap();
    let request = format!("GET {path} HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\n\r\n");
    stream.write_all(request.as_bytes()).await.unwrap();
    let mut response = String::new();
    stream.read_to_string(&mut response).await.unwrap();
    let status = response.lines().next().unwrap_or_default().to_string();
    let body = response
        .split_once("\r\n\r\n")
        .map(|(_, b)| b.to_string())
        .unwrap_or_default();
    (status, body)
}

#[tokio::test(flavor = "multi_thread")]
async fn server_serves_requests_over_loopback_with_client_address() {
    let app = spawn_probe();
    let server = app.serve(([127, 0, 0, 1], 0).into()).await.unwrap();

    let (status, body) = raw_get(server.local_addr(), "/probe/headers").await;

    assert!(status.contains("200"), "{status}");
    let json: serde_json::Value = serde_json::from_str(&body).unwrap();
    let client = json["headers"]["spin-client-addr"].as_str().unwrap();
    assert!(
        client.starts_with("127.0.0.1:") && client != "127.0.0.1:0",
        "{client}"
    );
    let full_url = json["headers"]["spin-full-url"].as_str().unwrap();
    assert_eq!(
        full_url,
        format!("http://{}/probe/headers", server.local_addr())
    );
    server.shutdown().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn server_answers_404_and_500_and_keeps_serving() {
    let app = spawn_probe();
    let server = app.serve(([127, 0, 0, 1], 0).into()).await.unwrap();

    let (missing, _) = raw_get(server.local_addr(), "/nowhere").await;
    let (trapped, _) = raw_get(server.local_addr(), "/probe/panic").await;
    let (ok, _) = raw_get(server.local_addr(), "/exact").await;

    assert!(missing.contains("404"), "{missing}");
    assert!(trapped.contains("500"), "{trapped}");
    assert!(ok.contains("200"), "{ok}");
}

#[tokio::test(flavor = "multi_thread")]
async fn server_serves_concurrent_connections() {
    let app = spawn_probe();
    let server = app.serve(([127, 0, 0, 1], 0).into()).await.unwrap();
    let addr = server.local_addr();

    let started = std::time::Instant::now();
    let requests: Vec<_> = (0..8)
        .map(|_| tokio::spawn(async move { raw_get(addr, "/probe/sleep/100").await }))
        .collect();

    for r in requests {
        let (status, body) = r.await.unwrap();
        assert!(status.contains("200"), "{status}");
        assert_eq!(body, "slept");
    }
    // Served one after another, eight 100 ms sleeps could not end before 800 ms: ending
    // sooner proves they overlapped (a bound set by the sleeps, not a speed goal).
    let took = started.elapsed();
    assert!(
        took < std::time::Duration::from_millis(800),
        "the connections were served one at a time: {took:?}"
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn allowed_outbound_request_reaches_a_real_server() {
    let app = spawn_probe();
    let server = app.serve(([127, 0, 0, 1], 0).into()).await.unwrap();
    let url = format!("http://{}/exact", server.local_addr());

    let reply = post(&app, "/probe/fetch", &url).await;

    assert_eq!(reply.status, 200, "{}", reply.body);
    let outer = reply.json();
    assert_eq!(outer["status"], 200);
    assert!(
        outer["body"]
            .as_str()
            .unwrap()
            .contains("\"spin-component-route\":\"/exact\"")
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn stopped_server_refuses_connections() {
    let app = spawn_probe();
    let server = app.serve(([127, 0, 0, 1], 0).into()).await.unwrap();
    let addr = server.local_addr();

    server.shutdown().await;

    assert!(TcpStream::connect(addr).await.is_err());
}
