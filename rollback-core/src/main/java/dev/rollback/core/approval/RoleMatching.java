package dev.rollback.core.approval;

import dev.rollback.api.governance.Approval;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Assigns required roles to approvals so that one person fills at most one role (four eyes means
 * two people): a maximum bipartite matching between roles and people, found with augmenting paths
 * (Kuhn's algorithm). Roles are tried in the order given, approvals in the order received, so the
 * result is deterministic. Cost O(roles x approvals^2); both are a handful. Stateless.
 */
final class RoleMatching {

    private RoleMatching() {}

    /** The roles that could be filled, each with the approval that fills it, in the order of {@code roles}. */
    static Map<String, Approval> match(List<String> roles, List<Approval> approvals) {
        Map<String, Approval> assigned = new HashMap<>(); // person -> the approval that fills a role
        Map<String, String> roleOfPerson = new HashMap<>();
        for (String role : roles) {
            augment(role, approvals, assigned, roleOfPerson, new ArrayList<>());
        }
        Map<String, Approval> byRole = new LinkedHashMap<>();
        for (String role : roles) {
            assigned.values().stream()
                    .filter(a -> a.role().equals(role))
                    .findFirst()
                    .ifPresent(a -> byRole.put(role, a));
        }
        return byRole;
    }

    private static boolean augment(
            String role,
            List<Approval> approvals,
            Map<String, Approval> assigned,
            Map<String, String> roleOfPerson,
            List<String> visitedPeople) {
        for (Approval candidate : approvals) {
            if (!candidate.role().equals(role) || visitedPeople.contains(candidate.person())) {
                continue;
            }
            visitedPeople.add(candidate.person());
            String displacedRole = roleOfPerson.get(candidate.person());
            if (displacedRole == null || augment(displacedRole, approvals, assigned, roleOfPerson, visitedPeople)) {
                assigned.put(candidate.person(), candidate);
                roleOfPerson.put(candidate.person(), role);
                return true;
            }
        }
        return false;
    }
}
