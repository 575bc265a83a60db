//! Key-value in memory behind `o2o_storage::KeyValue`, with one sabotage (deletes fail).

use std::cell::{Cell, RefCell};
use std::collections::BTreeMap;

use o2o_storage::{KeyValue, StoreError};

#[derive(Default)]
pub struct MemoryKv {
    entries: RefCell<BTreeMap<String, Vec<u8>>>,
    failing_deletes: Cell<bool>,
}

impl MemoryKv {
    /// Every delete fails from now on, as a storage failure.
    pub fn fail_deletes(&self) {
        self.failing_deletes.set(true);
    }

    pub fn contains(&self, key: &str) -> bool {
        self.entries.borrow().contains_key(key)
    }

    /// How many keys are stored.
    pub fn len(&self) -> usize {
        self.entries.borrow().len()
    }

    pub fn is_empty(&self) -> bool {
        self.entries.borrow().is_empty()
    }
}

impl KeyValue for MemoryKv {
    fn get(&self, key: &str) -> Result<Option<Vec<u8>>, StoreError> {
        Ok(self.entries.borrow().get(key).cloned())
    }

    fn set(&self, key: &str, value: &[u8]) -> Result<(), StoreError> {
        self.entries
            .borrow_mut()
            .insert(key.to_owned(), value.to_vec());
        Ok(())
    }

    fn delete(&self, key: &str) -> Result<(), StoreError> {
        if self.failing_deletes.get() {
            return Err(StoreError::Unavailable("injected fault".into()));
        }
        self.entries.borrow_mut().remove(key);
        Ok(())
    }
}
