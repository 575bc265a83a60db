//! Concurrent requests, for the "at most N" rules and the documents two requests can change:
//! `all_at_once` sends requests built beforehand (`TestApp::request_as`) each on a task of its
//! own, released together by a barrier, so that all of them are in flight in the host at the
//! same time; the answers come back in the order of the requests.
//!
//! `race_rounds()` is how many times a race journey repeats itself (`O2O_RACE_ROUNDS`, 20 by
//! default, as the concurrency issue asks): a race that passes once can pass by luck.

use std::sync::Arc;

use tokio::sync::Barrier;

use crate::{TestApp, TestResponse};

/// How many requests a race journey puts in flight at once.
pub const IN_FLIGHT: usize = 50;

/// How many rounds a race journey runs (`O2O_RACE_ROUNDS`, default 20).
pub fn race_rounds() -> usize {
    std::env::var("O2O_RACE_ROUNDS")
        .ok()
        .and_then(|raw| raw.parse().ok())
        .filter(|rounds| *rounds > 0)
        .unwrap_or(20)
}

impl TestApp {
    /// Sends every request at once and returns the answers in the requests' order.
    pub async fn all_at_once(&self, requests: Vec<http::Request<Vec<u8>>>) -> Vec<TestResponse> {
        let start = Arc::new(Barrier::new(requests.len()));
        let tasks: Vec<_> = requests
            .into_iter()
            .map(|request| {
                let (app, start) = (self.app.clone(), start.clone());
                tokio::spawn(async move {
                    start.wait().await;
                    app.handle(request).await.expect("the host answers")
                })
            })
            .collect();
        let mut answers = Vec::with_capacity(tasks.len());
        for task in tasks {
            answers.push(TestResponse::from_http(task.await.expect("request task")));
        }
        answers
    }
}

/// How many answers had `status`.
pub fn count_status(answers: &[TestResponse], status: u16) -> usize {
    answers.iter().filter(|a| a.status == status).count()
}

/// The statuses of the answers, for assertion messages.
pub fn statuses(answers: &[TestResponse]) -> Vec<u16> {
    answers.iter().map(|a| a.status).collect()
}
