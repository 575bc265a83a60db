//! The HTTP/1.1 front door: a hyper server on the tokio runtime that hands every request to
//! [`SpinApp::handle_from`] (a fresh instance each), serving connections and requests
//! concurrently. [`ServerHandle`] stops it on `shutdown()` or drop.

use std::convert::Infallible;
use std::net::SocketAddr;

use bytes::Bytes;
use http_body_util::{BodyExt, Full};
use hyper::server::conn::http1;
use hyper::service::service_fn;
use hyper_util::rt::TokioIo;
use tokio::net::TcpListener;
use tokio::sync::oneshot;
use tokio::task::{JoinHandle, JoinSet};

use crate::app::SpinApp;

/// A running server. Dropping it stops accepting and closes open connections.
pub struct ServerHandle {
    local_addr: SocketAddr,
    stop: Option<oneshot::Sender<()>>,
    task: Option<JoinHandle<()>>,
}

impl ServerHandle {
    /// The address the server listens on.
    pub fn local_addr(&self) -> SocketAddr {
        self.local_addr
    }

    /// The base URL, e.g. `http://127.0.0.1:40123`.
    pub fn url(&self) -> String {
        format!("http://{}", self.local_addr)
    }

    /// Stops the server and waits until its accept loop and connections are gone.
    pub async fn shutdown(mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
        if let Some(task) = self.task.take() {
            let _ = task.await;
        }
    }
}

impl Drop for ServerHandle {
    fn drop(&mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
    }
}

pub(crate) async fn serve(app: SpinApp, addr: SocketAddr) -> anyhow::Result<ServerHandle> {
    let listener = TcpListener::bind(addr).await?;
    let local_addr = listener.local_addr()?;
    let (stop, mut stopped) = oneshot::channel::<()>();
    let task = tokio::spawn(async move {
        // Dropping the set when the loop ends aborts every open connection.
        let mut connections = JoinSet::new();
        loop {
            tokio::select! {
                _ = &mut stopped => break,
                accepted = listener.accept() => {
                    let Ok((stream, client)) = accepted else { continue };
                    let app = app.clone();
                    connections.spawn(async move {
                        let service = service_fn(move |req| {
                            let app = app.clone();
                            async move { Ok::<_, Infallible>(respond(&app, req, client).await) }
                        });
                        if let Err(e) = http1::Builder::new()
                            .keep_alive(true)
                            .serve_connection(TokioIo::new(stream), service)
                            .await
                        {
                            eprintln!("spin-test-host: connection from {client}: {e}");
                        }
                    });
                }
                Some(_) = connections.join_next(), if !connections.is_empty() => {}
            }
        }
    });
    Ok(ServerHandle {
        local_addr,
        stop: Some(stop),
        task: Some(task),
    })
}

async fn respond(
    app: &SpinApp,
    req: hyper::Request<hyper::body::Incoming>,
    client: SocketAddr,
) -> hyper::Response<Full<Bytes>> {
    let (parts, body) = req.into_parts();
    let result = match body.collect().await {
        Ok(body) => {
            app.handle_from(http::Request::from_parts(parts, body.to_bytes()), client)
                .await
        }
        Err(e) => Err(anyhow::anyhow!("cannot read request body: {e}")),
    };
    match result {
        Ok(response) => response.map(Full::new),
        Err(e) => {
            eprintln!("spin-test-host: {e:#}");
            let mut response =
                hyper::Response::new(Full::new(Bytes::from_static(b"Internal Server Error")));
            *response.status_mut() = http::StatusCode::INTERNAL_SERVER_ERROR;
            response
        }
    }
}
