"""Pure data shared by every layer: resource keys, Application spec/status types,
health and sync enums, change sets, and the error hierarchy. Imports nothing from Rudder."""
