//! A small workflow runner for multi-step operations such as place-order: each `Step` is an
//! action declared beside the compensation that undoes it (CONVENTIONS.md, "Steps carry their
//! compensation", after Medusa's core-flows), so that reading a workflow shows what happens on
//! failure at every point. `run` performs the steps in order over a shared context (where a
//! step leaves what later steps and its own compensation need, e.g. a reservation id); when
//! one fails, the compensations of the steps already done run in reverse order and the failure
//! is returned. A failing compensation does not stop the others: each is reported, so the
//! caller can log what a sweep must still clean up (e.g. a reservation left to expire).

/// What a step does, or what undoes it: runs once over the workflow's context.
type Effect<'a, C, E> = Box<dyn FnOnce(&mut C) -> Result<(), E> + 'a>;

/// One step of a workflow over the context `C`, failing with `E`.
pub struct Step<'a, C, E> {
    name: &'static str,
    action: Effect<'a, C, E>,
    compensate: Option<Effect<'a, C, E>>,
}

impl<'a, C, E> Step<'a, C, E> {
    /// A step whose effect `compensate` undoes when a later step fails.
    pub fn new(
        name: &'static str,
        action: impl FnOnce(&mut C) -> Result<(), E> + 'a,
        compensate: impl FnOnce(&mut C) -> Result<(), E> + 'a,
    ) -> Self {
        Step {
            name,
            action: Box::new(action),
            compensate: Some(Box::new(compensate)),
        }
    }

    /// A step with nothing to undo: it only reads, or it is the last step (its own failure
    /// undoes the earlier ones, and nothing follows it that could fail).
    pub fn without_compensation(
        name: &'static str,
        action: impl FnOnce(&mut C) -> Result<(), E> + 'a,
    ) -> Self {
        Step {
            name,
            action: Box::new(action),
            compensate: None,
        }
    }

    pub fn name(&self) -> &'static str {
        self.name
    }
}

/// A workflow that failed: which step, why, and any compensation that failed in turn (empty
/// when everything done before the failing step was undone).
#[derive(Debug, PartialEq)]
pub struct WorkflowFailed<E> {
    pub step: &'static str,
    pub error: E,
    pub compensation_failures: Vec<(&'static str, E)>,
}

/// Runs `steps` in order over `context`; on the first failure, undoes the completed steps in
/// reverse order and returns the failure.
pub fn run<C, E>(context: &mut C, steps: Vec<Step<'_, C, E>>) -> Result<(), WorkflowFailed<E>> {
    let mut done = Vec::with_capacity(steps.len());
    for step in steps {
        match (step.action)(context) {
            Ok(()) => done.push((step.name, step.compensate)),
            Err(error) => {
                let mut compensation_failures = Vec::new();
                for (name, compensate) in done.into_iter().rev() {
                    if let Some(compensate) = compensate
                        && let Err(failure) = compensate(context)
                    {
                        compensation_failures.push((name, failure));
                    }
                }
                return Err(WorkflowFailed {
                    step: step.name,
                    error,
                    compensation_failures,
                });
            }
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    /// What happened, in order, and which step should fail.
    #[derive(Default)]
    struct Journal {
        events: Vec<String>,
        fail_action: Option<&'static str>,
        fail_compensation: Option<&'static str>,
    }

    fn step(name: &'static str) -> Step<'static, Journal, String> {
        Step::new(
            name,
            move |j: &mut Journal| {
                if j.fail_action == Some(name) {
                    return Err(format!("{name} failed"));
                }
                j.events.push(format!("do {name}"));
                Ok(())
            },
            move |j: &mut Journal| {
                if j.fail_compensation == Some(name) {
                    return Err(format!("undo {name} failed"));
                }
                j.events.push(format!("undo {name}"));
                Ok(())
            },
        )
    }

    fn place_order_shape() -> Vec<Step<'static, Journal, String>> {
        vec![
            Step::without_compensation("quote", |j: &mut Journal| {
                j.events.push("do quote".into());
                Ok(())
            }),
            step("reserve"),
            step("consume"),
            step("write"),
            step("clear"),
        ]
    }

    #[test]
    fn every_step_runs_in_order_and_nothing_is_undone_when_all_succeed() {
        let mut journal = Journal::default();
        assert_eq!(run(&mut journal, place_order_shape()), Ok(()));
        assert_eq!(
            journal.events,
            [
                "do quote",
                "do reserve",
                "do consume",
                "do write",
                "do clear"
            ]
        );
    }

    #[test]
    fn failing_step_undoes_the_completed_steps_in_reverse_order() {
        let mut journal = Journal {
            fail_action: Some("write"),
            ..Journal::default()
        };
        let failed = run(&mut journal, place_order_shape()).unwrap_err();
        assert_eq!(failed.step, "write");
        assert_eq!(failed.error, "write failed");
        assert!(failed.compensation_failures.is_empty());
        assert_eq!(
            journal.events,
            [
                "do quote",
                "do reserve",
                "do consume",
                "undo consume",
                "undo reserve"
            ]
        );
    }

    #[test]
    fn failing_first_step_undoes_nothing() {
        let mut journal = Journal {
            fail_action: Some("reserve"),
            ..Journal::default()
        };
        let failed = run(&mut journal, vec![step("reserve"), step("write")]).unwrap_err();
        assert_eq!(failed.step, "reserve");
        assert!(journal.events.is_empty());
    }

    #[test]
    fn failing_compensation_is_reported_and_the_others_still_run() {
        let mut journal = Journal {
            fail_action: Some("clear"),
            fail_compensation: Some("consume"),
            ..Journal::default()
        };
        let failed = run(&mut journal, place_order_shape()).unwrap_err();
        assert_eq!(failed.step, "clear");
        assert_eq!(
            failed.compensation_failures,
            [("consume", "undo consume failed".to_owned())]
        );
        assert_eq!(
            journal.events,
            [
                "do quote",
                "do reserve",
                "do consume",
                "do write",
                "undo write",
                "undo reserve"
            ]
        );
    }
}
