package dev.rollback.examples;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.xml.parsers.DocumentBuilderFactory;
import org.junit.jupiter.api.Test;
import org.w3c.dom.Document;
import org.w3c.dom.Element;
import org.w3c.dom.NodeList;

/**
 * rollback-bom lists exactly the artifacts the build publishes: every jar module of the root POM's
 * {@code <modules>} that is deployed (examples and benchmarks set {@code maven.deploy.skip}), and
 * nothing else. The BOM has no parent, so it also repeats the parent's project metadata; the two
 * must agree. And the versions the README tells users to add are the ones the build uses.
 */
class BomTest {
    /**
     * Providers being written in parallel: the BOM may name them before their module is in the root
     * POM. Remove each once its module is merged (the check then holds it like any other).
     */
    @Test
    void theBomListsEveryPublishedJarModuleAndNothingElse() throws Exception {
        Path root = RepositoryRoot.find();
        Set<String> published = new TreeSet<>();
        for (String module : texts(children(parse(root.resolve("pom.xml")), "modules"), "module")) {
            Element pom = parse(root.resolve(module).resolve("pom.xml"));
            String packaging = text(pom, "packaging");
            List<Element> properties = children(pom, "properties");
            boolean deployed = properties.isEmpty()
                    || !text(properties.get(0), "maven.deploy.skip").equals("true");
            if ((packaging.isEmpty() || packaging.equals("jar")) && deployed) {
                published.add(text(pom, "artifactId"));
            }
        }
        assertThat(published).as("published jar modules").contains("rollback-api", "rollback-core");

        Set<String> listed = new TreeSet<>();
        Element managed = children(
                        children(parse(root.resolve("rollback-bom/pom.xml")), "dependencyManagement")
                                .get(0),
                        "dependencies")
                .get(0);
        for (Element dependency : children(managed, "dependency")) {
            assertThat(text(dependency, "groupId")).isEqualTo("dev.rollback");
            assertThat(text(dependency, "version")).isEqualTo("${project.version}");
            assertThat(listed.add(text(dependency, "artifactId")))
                    .as("the BOM lists %s once", text(dependency, "artifactId"))
                    .isTrue();
        }

        Set<String> missing = new TreeSet<>(published);
        missing.removeAll(listed);
        assertThat(missing).as("published modules the BOM does not list").isEmpty();
        Set<String> extra = new TreeSet<>(listed);
        extra.removeAll(published);
        assertThat(extra).as("BOM entries that the build does not produce").isEmpty();
    }

    @Test
    void theBomRepeatsTheParentsProjectMetadata() throws Exception {
        Path root = RepositoryRoot.find();
        Element parent = parse(root.resolve("pom.xml"));
        Element bom = parse(root.resolve("rollback-bom/pom.xml"));
        assertThat(text(parent, "version")).isEqualTo(text(bom, "version"));
        for (String element : List.of("url", "inceptionYear", "licenses", "developers", "scm")) {
            assertThat(normalized(children(bom, element)))
                    .as("<%s> of rollback-bom", element)
                    .isNotEmpty()
                    .isEqualTo(normalized(children(parent, element)));
        }
    }

    @Test
    void theVersionsTheReadmeTellsUsersToAddAreTheOnesTheBuildUses() throws Exception {
        Path root = RepositoryRoot.find();
        Element parent = parse(root.resolve("pom.xml"));
        Map<String, String> properties = new HashMap<>();
        for (Element property : childElements(children(parent, "properties").get(0))) {
            properties.put(property.getTagName(), property.getTextContent().strip());
        }
        Map<String, String> managed = new HashMap<>();
        Element dependencies = children(children(parent, "dependencyManagement").get(0), "dependencies")
                .get(0);
        for (Element dependency : children(dependencies, "dependency")) {
            String version = text(dependency, "version");
            Matcher property = Pattern.compile("\\$\\{(.+)}").matcher(version);
            managed.put(
                    text(dependency, "groupId") + ":" + text(dependency, "artifactId"),
                    property.matches() ? properties.get(property.group(1)) : version);
        }

        Matcher coordinates = Pattern.compile("`([\\w.-]+:[\\w.-]+):(\\d[\\w.-]*)`")
                .matcher(Files.readString(root.resolve("README.md")));
        int checked = 0;
        while (coordinates.find()) {
            if (managed.containsKey(coordinates.group(1))) {
                assertThat(coordinates.group(2))
                        .as("README.md's version of %s", coordinates.group(1))
                        .isEqualTo(managed.get(coordinates.group(1)));
                checked++;
            }
        }
        assertThat(checked).as("coordinates with versions in README.md").isGreaterThanOrEqualTo(4);
    }

    private static List<Element> childElements(Element parent) {
        List<Element> found = new ArrayList<>();
        NodeList nodes = parent.getChildNodes();
        for (int i = 0; i < nodes.getLength(); i++) {
            if (nodes.item(i) instanceof Element e) {
                found.add(e);
            }
        }
        return found;
    }

    private static String normalized(List<Element> elements) {
        return elements.isEmpty()
                ? ""
                : elements.get(0).getTextContent().replaceAll("\\s+", " ").strip();
    }

    private static Element parse(Path pom) throws Exception {
        assertThat(pom).isRegularFile();
        Document document =
                DocumentBuilderFactory.newInstance().newDocumentBuilder().parse(Files.newInputStream(pom));
        return document.getDocumentElement();
    }

    private static List<Element> children(Element parent, String name) {
        List<Element> found = new ArrayList<>();
        NodeList nodes = parent.getChildNodes();
        for (int i = 0; i < nodes.getLength(); i++) {
            if (nodes.item(i) instanceof Element e && e.getTagName().equals(name)) {
                found.add(e);
            }
        }
        return found;
    }

    private static List<String> texts(List<Element> parents, String name) {
        return parents.isEmpty()
                ? List.of()
                : children(parents.get(0), name).stream()
                        .map(e -> e.getTextContent().strip())
                        .toList();
    }

    private static String text(Element parent, String name) {
        List<Element> found = children(parent, name);
        return found.isEmpty() ? "" : found.get(0).getTextContent().strip();
    }
}
