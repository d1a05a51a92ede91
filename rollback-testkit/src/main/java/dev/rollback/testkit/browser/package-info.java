/**
 * A real headless browser for tests of HTML reports: {@link dev.rollback.testkit.browser.HeadlessChromium}
 * drives the machine's Chromium over the DevTools protocol (console errors, JavaScript against the
 * laid-out page, screenshots).
 */
package dev.rollback.testkit.browser;
