/**
 * The vendor contracts: {@link dev.switchboard.vendor.Vendor} builds upstream requests and converts responses and
 * errors, {@link dev.switchboard.vendor.StreamTranslator} converts one stream. One sub-package per upstream API;
 * {@link dev.switchboard.vendor.VendorRegistry} is the one place that maps a configured type to its vendor.
 */
package dev.switchboard.vendor;
