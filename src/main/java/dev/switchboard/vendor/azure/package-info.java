/**
 * Azure OpenAI, classic dated API ({@code POST {resource}/openai/deployments/{deployment}/chat/completions
 * ?api-version=…}): the request and its answers are OpenAI's format, so this package only addresses the deployment,
 * authenticates with {@code api-key}, and removes Azure's content-filter events from streams before relaying through
 * the OpenAI pass-through (WIRE-FORMATS.md §4).
 */
package dev.switchboard.vendor.azure;
