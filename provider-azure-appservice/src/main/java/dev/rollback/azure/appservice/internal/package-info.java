/**
 * Internal tier of the App Service provider: argument checks and the one
 * adapter over the SDK's {@code WebAppsClient}. Not part of the API; may change at any time.
 */
package dev.rollback.azure.appservice.internal;
