export { FIELD_SCENARIOS, findScenario, scenarioNames, scenarioSessionOptions, type FieldScenario } from './field-scenarios.js';
export { checkOutcome, describeOutcome, type ScenarioOutcome } from './scenario-outcome.js';
