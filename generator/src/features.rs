//! An IR pass: splits large APIs into one cargo feature per tag, so a crate that uses a
//! corner of Cloudflare compiles only that corner.
//!
//! Each operation group gets a feature; each type is gated on the features of the groups
//! that reach it. Gating is closed under references: whenever a type is compiled, so is
//! every type it names. A type most groups reach is not gated at all (its `cfg` would
//! only be noise), and neither is anything it names. A type one group alone reaches gets
//! that group as its home: it is emitted in the group's own types file.

use crate::ir::{Api, TypeId};
use crate::naming::{self, Namespace};
use crate::CrateSettings;
use std::collections::BTreeSet;

/// Above this share of the groups, a type is compiled with the API whatever tags are on.
const SHARED_ABOVE: f64 = 0.5;

pub(crate) fn assign(apis: &mut [Api], settings: &CrateSettings) {
    let single_api = apis.len() == 1;
    let mut names = Namespace::new();
    names.reserve(naming::owned::CRATE_FEATURES);
    for api in apis.iter() {
        names.reserve(&[&api.feature]);
    }
    for api in apis.iter_mut() {
        // The API's config decides first, then the crate's settings.
        let Some(threshold) = api.tag_features_from.or(settings.tag_features_from) else { continue };
        let operations: usize = api.groups.iter().map(|group| group.operations.len()).sum();
        if operations < threshold || api.groups.len() < 2 {
            continue;
        }
        api.core_feature = Some(names.claim(format!("{}-core", api.feature)));
        for group in &mut api.groups {
            let module = naming::feature_name(&group.module);
            let wanted = if single_api { module } else { format!("{}-{module}", api.feature) };
            group.feature = Some(names.claim(wanted));
        }
        gate_types(api);
    }
}

fn gate_types(api: &mut Api) {
    let count = api.types.types.len();
    let mut users: Vec<BTreeSet<usize>> = vec![BTreeSet::new(); count];
    for (group_index, group) in api.groups.iter().enumerate() {
        let mut stack: Vec<TypeId> = Vec::new();
        for operation in &group.operations {
            operation.named_types(&mut stack);
        }
        let mut seen = BTreeSet::new();
        while let Some(id) = stack.pop() {
            if !seen.insert(id) {
                continue;
            }
            users[id.0].insert(group_index);
            api.types.types[id.0].kind.named_types(&mut stack);
        }
    }
    // Ungated: unused types, widely shared ones, and everything an ungated type names.
    let groups = api.groups.len() as f64;
    let mut ungated: Vec<bool> =
        users.iter().map(|set| set.is_empty() || set.len() as f64 > groups * SHARED_ABOVE).collect();
    let mut stack: Vec<TypeId> = (0..count).filter(|&index| ungated[index]).map(TypeId).collect();
    while let Some(id) = stack.pop() {
        let mut named = Vec::new();
        api.types.types[id.0].kind.named_types(&mut named);
        for target in named {
            if !ungated[target.0] {
                ungated[target.0] = true;
                stack.push(target);
            }
        }
    }
    for (index, def) in api.types.types.iter_mut().enumerate() {
        if ungated[index] {
            continue;
        }
        def.features = users[index].iter().filter_map(|&group| api.groups[group].feature.clone()).collect();
        // Closed under references too: a type that names one of a single group's types
        // is reached from that group alone.
        if let [group] = users[index].iter().copied().collect::<Vec<_>>()[..] {
            def.home = Some(api.groups[group].module.clone());
        }
    }
}
