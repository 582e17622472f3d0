/**
 * The servlet layer: deployment lifecycle ({@link dev.switchboard.web.GatewayListener}), the dispatch from URL prefix
 * to platform and endpoint ({@link dev.switchboard.web.GatewayServlet}), request body reading, Chat2API's single
 * pass-through attempt ({@code PassThroughAttempt}), and error rendering, including the container's own error pages.
 */
package dev.switchboard.web;
